// Linux expansion: manifests (with allocations) into the resources of linux_resources.h. Pure.
#pragma once

#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/ipam.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

DesiredState ExpandLinux(const model::Manifest& manifest, const Allocations& allocations);

/// The nft rules (nft's canonical listing form) of a NAT and of a VM, per chain. Exposed for tests.
Attrs NatRules(const model::Nat& nat, const model::Manifest& manifest);
Attrs VmRules(const model::Vm& vm, const Assignment& assignment);

/// resolv.conf content for a nameserver list.
std::string ResolvConf(const std::vector<std::string>& nameservers);

}  // namespace berth::reconciler::linux_res
