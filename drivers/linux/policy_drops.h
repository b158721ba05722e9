// Per-VM counters of packets the network policy dropped, by reason (spoof, host, peers, egress), read from the
// counters of berth's nftables tables. For `berth show` and `berth watch`'s /metrics.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {

/// VM name -> reason -> packets dropped. Empty when berth's tables do not exist.
using PolicyDrops = std::map<std::string, std::map<std::string, uint64_t>>;

/// Reads the counters in the calling thread's netns (a libnftables context of its own).
Result<PolicyDrops, OsError> ReadPolicyDrops();
/// Parses one table's listing with counters (`nft list table FAMILY berth`); adds to `drops`.
void ParsePolicyDrops(const std::string& listing, const std::string& family, PolicyDrops& drops);

}  // namespace berth::drivers::lnx
