// The launcher's result file of each VM on Linux (schemas/result.schema.json): what a CNI ADD result carries —
// netns, TAP, MAC, addresses, gateway, routes, DNS, MTU — and the VM's reach, read back from an observation.
#pragma once

#include <string>
#include <vector>

#include "reconciler/ipam.h"
#include "reconciler/platform.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

/// Version of the result file's format; readers refuse one they do not know.
inline constexpr int kLaunchRecordVersion = 1;

/// One record per VM netns in `observed` (disabled and loopback VMs too: netns only). `netns_dir` is where
/// the named namespaces live (/run/netns).
std::vector<LaunchRecord> LinuxLaunchRecords(const ObservedState& observed, const Allocations& allocations,
                                             const std::string& netns_dir);

}  // namespace berth::reconciler::linux_res
