// FreeBSD expansion: manifests (with allocations) into the resources of freebsd_resources.h. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/ipam.h"
#include "reconciler/resource.h"

namespace berth::reconciler::freebsd_res {

DesiredState ExpandFreeBsd(const model::Manifest& manifest, const Allocations& allocations);

/// The ipfw rule number of every secure-VNET interface ("Jail/j1/vnet0" -> 20042): FNV-1a of the id within
/// berth's range, probing upwards on collision in id order, so it is stable while the set of secure interfaces
/// is. Exposed for tests.
std::map<std::string, int> IpfwNumbers(const model::Manifest& manifest);

/// resolv.conf text for a nameserver list; its first line marks it as berth's.
std::string JailResolvConf(const std::vector<std::string>& nameservers);

}  // namespace berth::reconciler::freebsd_res
