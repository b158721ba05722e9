// The Linux hypervisor step (docs/hypervisors.md): a VM with spec.qemu or spec.firecracker gets a vmproc
// resource that is launched after its netns, TAP and tc redirects exist and stopped before they go. Pure.
#pragma once

#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/desired_builder.h"
#include "reconciler/diff.h"
#include "reconciler/ipam.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

/// Adds the vmproc of `vm` when it names a hypervisor. `assignment` and `bridge` are null for a VM without a
/// link to a bridge (disabled, loopback): it then gets no network device and no ip= argument.
void ExpandVmProcess(const model::Vm& vm, const Assignment* assignment, const model::Bridge* bridge,
                     DesiredBuilder& b);

/// The kernel's ip= argument (nfsroot.rst): "ip=CLIENT::GATEWAY:NETMASK::eth0:off[:DNS0[:DNS1]]".
std::string KernelIpArgument(const model::Cidr4& address, const model::Ipv4& gateway,
                             const std::vector<std::string>& dns);

/// A stable digest of a vmproc's launch attributes (everything but running, pid and started): 16 hex digits.
std::string VmConfigHash(const Attrs& attrs);

/// What a vmproc needs first: its netns, its DNS file, its TAP and both tc redirects.
std::vector<ResourceKey> VmProcDependencies(const Resource& r);

/// The host needs ("kvm", "qemu", "firecracker") a vmproc's hypervisor cannot launch without (QEMU falls back
/// to TCG without KVM).
std::vector<std::string> LaunchNeeds(const Resource& r);

/// Turns launches (create, update, replace of a vmproc) that a host blocker prevents into no-ops with the
/// reason, and adds one warning per blocked VM; warns of each QEMU launch that runs under TCG because KVM is
/// unusable. A running VM is never stopped for it.
void HoldBlockedLaunches(ChangeSet& changes, const HostFacts& facts);

}  // namespace berth::reconciler::linux_res
