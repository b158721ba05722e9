// How berth marks what it owns on Linux, shared by the platform part (which reads marks) and the driver and
// simulator (which write them).
// Linux links: interface group kLinkGroup at creation (the kernel keeps it; it ignores an alias in the create
// message), then an alias with the details. Netns and files: the "berth-" name prefix. nftables: table kNftTable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reconciler/resource.h"  // kCreatedAttr

namespace berth::reconciler {

inline constexpr uint32_t kLinkGroup = 0x62657274;  // "bert"
inline constexpr std::string_view kNftTable = "berth";  // family inet

/// Details of an ownership tag, stored in a link alias (at most 255 bytes).
struct OwnerTag {
  std::string origin;   // "VM/vm1"
  std::string created;  // RFC 3339 UTC, e.g. "2026-11-23T07:40:00Z"
};

/// "berth owner=VM/vm1 created=2026-11-23T07:40:00Z"
std::string FormatOwnerTag(const OwnerTag& tag);
/// Parses FormatOwnerTag's output; nullopt for anything else (foreign aliases are not berth's).
std::optional<OwnerTag> ParseOwnerTag(std::string_view alias);

}  // namespace berth::reconciler
