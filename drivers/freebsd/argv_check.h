// Checks on every string berth puts into a FreeBSD argv. Values come from validated manifests or from the
// host's own output, but an argv is the last line of defence: a name starting with '-' would become an option,
// a newline would split pf's input, a jail name with '.' would address a child jail.
#pragma once

#include <string>
#include <string_view>

namespace berth::drivers::freebsd {

/// 1..15 characters (IFNAMSIZ - 1) of letters, digits, '_', '.', ':' and '-', starting with a letter or digit.
/// ':' is legal in FreeBSD interface names (libioc's "vnet0:3").
bool IsSafeInterfaceName(std::string_view name);
/// What model validation allows for a jail: lower-case letters, digits, '-' and '_', no '.', at most 63.
bool IsSafeJailName(std::string_view name);
/// An absolute path without NUL or newline and without a ".." component.
bool IsSafePath(std::string_view path);
/// A tag or description value: printable ASCII, no newline, at most 1024 bytes (net.ifdescr_maxlen).
bool IsSafeText(std::string_view text);
/// A pf anchor path under berth's anchor: "berth/" + a safe name.
bool IsSafeAnchor(std::string_view anchor);

}  // namespace berth::drivers::freebsd
