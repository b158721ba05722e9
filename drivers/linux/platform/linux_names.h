// The names Linux namespaces and devices get from manifest names. Pure. The one that grows with the VM's name
// and could overflow IFNAMSIZ, the host veth, is defined in the model, which validates it (model/naming.h).
#pragma once

#include <string>
#include <string_view>

#include "model/naming.h"

namespace berth::reconciler::linux_res {

/// The per-VM network namespace, "berth-<vm>"; the prefix is how berth recognises its netns.
inline constexpr std::string_view kNetnsPrefix = "berth-";
std::string VmNetnsName(std::string_view vm);
/// Host end of the VM's veth pair, "bv-<vm>": defined in the model, whose validation checks it fits IFNAMSIZ.
using model::VmHostVethName;
/// The veth peer inside the VM's netns and the TAP beside it (fixed: each VM has its own netns).
inline constexpr std::string_view kVmPeerName = "eth0";
inline constexpr std::string_view kVmTapName = "tap0";

}  // namespace berth::reconciler::linux_res
