// berth's packet-rate policer on a device: a u32 match-all filter of priority be7 on the ingress hook with one
// police action (index per device, linux_police.h) whose packets over the rate are dropped and whose others
// continue to the next filter, the redirect. Shared by the police applier and the observer.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/linux/netlink.h"
#include "reconciler/resource.h"

namespace berth::drivers::lnx {

struct Snapshot;

/// A police action as a filter dump reports it.
struct PoliceRecord {
  uint32_t action_index = 0;
  uint64_t pps = 0;
  uint64_t burst_ticks = 0;
  bool exact = false;  // drop over the rate, continue under it, no byte rate, peak rate, average rate or MTU
};

/// What one RTM_NEWTFILTER message of a device's ingress hook says about berth's priority: nothing (another
/// priority, or the u32 hash table's own entry), berth's filter, or a filter of berth's priority in another
/// shape (which berth replaces).
struct PoliceFilterScan {
  int berth_nodes = 0;
  bool foreign = false;
  PoliceRecord record;
  /// The policer when exactly one node of berth's shape and nothing else holds berth's priority.
  std::optional<PoliceRecord> result() const {
    if (berth_nodes == 1 && !foreign) return record;
    return std::nullopt;
  }
};
void ScanPoliceFilter(nlmsghdr* h, PoliceFilterScan& scan);

/// The police resources (pkt_rate, pkt_burst as linux_police.h counts them) of one berth netns, keyed by device
/// name; a policer with another action index than the device's is left out (a create replaces it). A policer
/// changed by someone (another exceed action, a byte rate added) reports pkt_burst 0, so it differs.
void AddPolicers(const std::string& scope, const Snapshot& snap, std::vector<reconciler::Resource>& out);

/// RTM_NEWTFILTER adding berth's filter with its police action at ifindex `index`'s ingress hook.
NlMsg PoliceFilterRequest(int index, uint32_t action_index, uint64_t pps, uint64_t burst_packets);
/// RTM_DELTFILTER of whatever holds berth's priority on ifindex `index`'s ingress hook.
NlMsg PoliceFilterDeleteRequest(int index);
/// RTM_NEWACTION replacing the police action `action_index` in place (the filter that holds it stays).
NlMsg PoliceActionRequest(uint32_t action_index, uint64_t pps, uint64_t burst_packets);

}  // namespace berth::drivers::lnx
