// The Linux platform: netns, veth, TAP, bridges, tc redirects, nftables and hypervisor processes
// (linux_resources.h), behind the core's Platform interface. Pure: no I/O.
#pragma once

#include <memory>

#include "reconciler/platform.h"

namespace berth::reconciler {

/// Firecracker/QEMU microVMs in network namespaces, NAT and forwarding in berth's own nftables table.
std::unique_ptr<Platform> MakeLinuxPlatform();

}  // namespace berth::reconciler
