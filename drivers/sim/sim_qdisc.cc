// The simulated kernel's rule for berth's root shaper (a tbf per device, linux_bandwidth.h): created or
// replaced over whatever root qdisc a device has, changed in place, deleted back to the default; it goes with
// its device. The record check (LinuxRecordError) has already refused malformed attributes.
#include <cerrno>

#include "drivers/linux/platform/linux_resources.h"
#include "drivers/sim/sim_state.h"

namespace berth::drivers::sim {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file
using reconciler::Op;

SimNetns* DeviceNetns(SimState& s, const Action& a, std::optional<DriverError>& error) {
  const ResourceKey& key = a.resource.key;
  SimNetns* netns = s.FindNetns(key.scope);
  if (!netns) {
    error = SysError(a, ENOENT, "netns " + key.scope + " does not exist");
    return nullptr;
  }
  if (!netns->links.count(key.name)) {
    if (a.op != Op::kDelete) error = SysError(a, ENODEV, "no device " + key.name);  // a delete: gone with it
    return nullptr;
  }
  return netns;
}

std::optional<DriverError> ApplyQdisc(SimState& s, const Action& a) {
  const ResourceKey& key = a.resource.key;
  std::optional<DriverError> error;
  SimNetns* netns = DeviceNetns(s, a, error);
  if (!netns) return error;
  auto existing = netns->qdiscs.find(key.name);
  if (a.op == Op::kDelete) {
    if (existing != netns->qdiscs.end()) netns->qdiscs.erase(existing);
    return std::nullopt;
  }
  // An update is tbf_change on berth's qdisc: there must be one.
  if (a.op == Op::kUpdate && existing == netns->qdiscs.end()) return SysError(a, ENOENT, "no tbf be7: on " + key.name);
  netns->qdiscs[key.name] = {{kRate, a.resource.AttrOr(kRate)}, {kBurst, a.resource.AttrOr(kBurst)}};
  return std::nullopt;
}

}  // namespace berth::drivers::sim
