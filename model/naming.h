// Name rules the model validates before anything touches a host: what a name may contain, how long a kernel
// name may be (IFNAMSIZ: at most 15 characters), and the derived names validation must check. Each platform
// derives its other device names in its own part (drivers/<platform>/platform/*_names.h).
#pragma once

#include <string>
#include <string_view>

namespace berth::model {

inline constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1, Linux and FreeBSD alike
inline constexpr size_t kMaxResourceName = 63;    // metadata.name, also bounds netns and jail names

/// Linux: host end of the VM's veth pair, "bv-<vm>". The Linux platform owns its device names
/// (drivers/linux/platform/linux_names.h); this one is here because validation checks it fits and is unique.
std::string VmHostVethName(std::string_view vm);

/// True for names an in-jail interface must not have, because the interface comes back to the host under its
/// in-jail name when the jail dies (facts A2): the names the FreeBSD platform derives
/// (drivers/freebsd/platform/freebsd_names.h: "bj", "bu" or "bs" + 8 hex [+ a|b]), the
/// epair cloner's own names ("epair<digits>a|b", which would block the cloner's unit), and "lo0".
bool IsReservedJailInterfaceName(std::string_view name);

/// True when `name` uses only [a-z0-9-] (plus '.' and '_' when allow_dot_underscore), starts with a letter
/// or digit, and does not end with '-'. This keeps names safe in interface names, paths and argv.
bool IsSafeName(std::string_view name, bool allow_dot_underscore = false);

}  // namespace berth::model
