// Names berth derives from manifest names. The model owns them because validation must check, before
// anything touches a host, that every derived kernel name is legal (IFNAMSIZ: at most 15 characters).
#pragma once

#include <string>
#include <string_view>

namespace berth::model {

inline constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1, Linux and FreeBSD alike
inline constexpr size_t kMaxResourceName = 63;    // metadata.name, also bounds netns and jail names

/// Linux: the per-VM network namespace, "berth-<vm>"; the prefix is how berth recognises its netns.
inline constexpr std::string_view kNetnsPrefix = "berth-";
std::string VmNetnsName(std::string_view vm);
/// Linux: host end of the VM's veth pair, "bv-<vm>" (must fit 15 characters).
std::string VmHostVethName(std::string_view vm);
/// Linux: the veth peer inside the VM's netns and the TAP beside it (fixed: each VM has its own netns).
inline constexpr std::string_view kVmPeerName = "eth0";
inline constexpr std::string_view kVmTapName = "tap0";

/// FreeBSD: the host-side names of a VNET jail interface's objects, derived from the jail and the interface's
/// in-jail name. All are "b" + role letter + 8 hex digits of FNV-1a("Jail/<jail>/<ifname>") [+ end]: 10 or 11
/// characters whatever the jail's name, so they always fit IFNAMSIZ, and they cannot be the name an interface
/// returns from a dying jail under (in-jail names are checked with IsReservedJailInterfaceName).
///   JailEpairName(j, if, 'a')  "bj1a2b3c4da": host end of the jail's epair (on the bridge)
///   JailEpairName(j, if, 'b')  "bj1a2b3c4db": its jail end, handed over with jail -c vnet.interface=
///   JailUplinkName(j, if, e)   "bu1a2b3c4d[ab]": secure VNET only, the epair between the per-jail bridge and the
///                              host bridge ('a' on the host bridge, 'b' on the per-jail bridge)
///   JailSecureBridgeName(j, if) "bs1a2b3c4d": secure VNET only, the per-jail bridge
std::string JailEpairName(std::string_view jail, std::string_view ifname, char end);
std::string JailUplinkName(std::string_view jail, std::string_view ifname, char end);
std::string JailSecureBridgeName(std::string_view jail, std::string_view ifname);
/// True for names an in-jail interface must not have, because the interface comes back to the host under its
/// in-jail name when the jail dies (facts A2): berth's derived names ("bj", "bu" or "bs" + 8 hex [+ a|b]), the
/// epair cloner's own names ("epair<digits>a|b", which would block the cloner's unit), and "lo0".
bool IsReservedJailInterfaceName(std::string_view name);

/// True when `name` uses only [a-z0-9-] (plus '.' and '_' when allow_dot_underscore), starts with a letter
/// or digit, and does not end with '-'. This keeps names safe in interface names, paths and argv.
bool IsSafeName(std::string_view name, bool allow_dot_underscore = false);

}  // namespace berth::model
