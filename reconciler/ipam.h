// Address and MAC allocation for workloads. Pure: the persisted allocations come in, the full set goes out;
// the state directory stores them so they survive crashes and reboots.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::reconciler {

struct Assignment {
  model::Cidr4 address;  // with the bridge subnet's prefix
  model::Mac mac;
  /// A VM's extra routes (spec.network.routes), which only its guest holds: kept here, with the address the
  /// guest is told, so that show and the launcher's result file report what was applied. Empty for jails.
  std::vector<model::Route> routes;
  friend bool operator==(const Assignment&, const Assignment&) = default;
};

/// Interface id -> assignment. Ids: "VM/vm1" for a VM, "Jail/j1/vnet0" for a jail interface.
struct Allocations {
  std::map<std::string, Assignment> by_interface;
  friend bool operator==(const Allocations&, const Allocations&) = default;
};

struct AllocateResult {
  Allocations allocations;        // every interface on a bridge (disabled VMs naming one too), nothing else
  model::Diagnostics diagnostics; // pool exhausted, persisted address no longer valid, ...
};

/// Fixed addresses and MACs are taken from the manifest; a persisted assignment is kept while it is still inside
/// the bridge's pool and not claimed by a fixed address; the rest get the lowest free pool address, in name order.
/// MACs not given are derived from the interface id (locally administered, unicast): stable without state.
AllocateResult Allocate(const model::Manifest& manifest, const Allocations& persisted);

/// Deterministic locally administered unicast MAC for an interface id.
model::Mac DeriveMac(const std::string& interface_id);

}  // namespace berth::reconciler
