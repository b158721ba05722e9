// The simulated kernel's rule for berth's packet-rate policer (a filter with a police action on a device's
// ingress hook, linux_police.h): a create needs the ingress qdisc the redirect made and replaces what holds
// berth's priority, an update changes the action in place, and it goes with its device or its ingress qdisc.
#include <cerrno>

#include "drivers/linux/platform/linux_resources.h"
#include "drivers/sim/sim_state.h"

namespace berth::drivers::sim {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file
using reconciler::Op;

std::optional<DriverError> ApplyPolice(SimState& s, const Action& a) {
  const ResourceKey& key = a.resource.key;
  std::optional<DriverError> error;
  SimNetns* netns = DeviceNetns(s, a, error);
  if (!netns) return error;
  auto existing = netns->police.find(key.name);
  if (a.op == Op::kDelete) {
    if (existing != netns->police.end()) netns->police.erase(existing);
    return std::nullopt;
  }
  if (!netns->tc.count(key.name)) return SysError(a, ENOENT, "no ingress qdisc on " + key.name);
  // An update is RTM_NEWACTION on berth's action: its filter must be there.
  if (a.op == Op::kUpdate && existing == netns->police.end()) return SysError(a, ENOENT, "no police filter on " + key.name);
  netns->police[key.name] = {{kPktRate, a.resource.AttrOr(kPktRate)}, {kPktBurst, a.resource.AttrOr(kPktBurst)}};
  return std::nullopt;
}

}  // namespace berth::drivers::sim
