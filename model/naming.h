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

/// True when `name` uses only [a-z0-9-] (plus '.' and '_' when allow_dot_underscore), starts with a letter
/// or digit, and does not end with '-'. This keeps names safe in interface names, paths and argv.
bool IsSafeName(std::string_view name, bool allow_dot_underscore = false);

}  // namespace berth::model
