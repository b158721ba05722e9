// berth's rate limiter on a device: a tbf as the root qdisc, handle be7: (linux_bandwidth.h). Shared by the
// qdisc applier and the observer.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/linux/netlink.h"
#include "reconciler/resource.h"

namespace berth::drivers::lnx {

struct Snapshot;

/// A root tbf with berth's handle, as the kernel reports it.
struct ShaperRecord {
  int index = 0;             // the device
  uint64_t rate_bytes = 0;   // per second
  uint64_t buffer_ticks = 0; // the bucket in psched ticks
};

/// From an RTM_NEWQDISC message: the shaper when it is a root tbf with berth's handle; nullopt for any other
/// qdisc (someone else's root qdisc is not berth's, whatever it does).
std::optional<ShaperRecord> ParseShaperQdisc(nlmsghdr* h);

/// The qdisc resources (rate, burst as linux_bandwidth.h counts them) of the shapers of one berth netns, keyed
/// by device name. Owned: berth's handle in berth's netns.
void AddShapers(const std::string& scope, const Snapshot& snap, std::vector<reconciler::Resource>& out);

/// RTM_NEWQDISC creating or replacing (flags) berth's tbf as the root of ifindex `index`.
NlMsg ShaperRequest(int flags, int index, uint64_t rate_bytes, uint64_t burst_bytes);
/// RTM_DELQDISC of berth's root qdisc on ifindex `index`.
NlMsg ShaperDeleteRequest(int index);

}  // namespace berth::drivers::lnx
