// The Linux enforcement of network policies (docs/isolation.md): per VM, rules and set elements in berth's
// nftables tables `inet berth` (host, peers, egress) and `bridge berth` (anti-spoofing and layer-2 peers at the
// VM's bridge port). Per-VM data sits in maps keyed by address or port, so a packet's cost does not grow with the
// number of VMs. Pure: strings in nft's canonical listing form, as the driver reads them back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/manifest.h"
#include "model/policy.h"
#include "reconciler/ipam.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

// Group attributes beyond the inet base chains (linux_resources.h):
inline constexpr const char* kChainInput = "input";       // inet base chain on the input hook
inline constexpr const char* kChainPreroute = "preroute"; // inet filter chain on the prerouting hook
inline constexpr const char* kBridgePrefix = "bridge:";   // "bridge:CHAIN": a chain of table bridge berth
inline constexpr const char* kInetPrefix = "inet:";       // "inet:CHAIN": a regular chain of table inet berth
inline constexpr const char* kElements = "elements";      // "FAMILY SET ELEMENT" per line, owned by the group

/// The group "base/policy": the dispatch rules in the base chains, present whenever a VM has a policy.
inline constexpr const char* kPolicyGroup = "base/policy";
Attrs PolicyBaseRules();

/// A VM's effective policy on `bridge` (its block over the bridge's, with the secure defaults).
model::EffectivePolicy EffectivePolicyOf(const model::Vm& vm, const model::Bridge& bridge);

/// Adds a bridged VM's policy (chains host-/out-/port-/l2-NAME and their map elements) to its rule group, and its
/// packet rates (spec.network.bandwidth.pps: the end of port-NAME, chain in-NAME).
void AddVmPolicy(const model::Vm& vm, const Assignment& assignment, const model::Bridge& bridge, Attrs& group);

/// A packet rate as a VM's group holds it: the rule AddVmPolicy writes, read back from one chain's rules.
struct PacketRate {
  uint64_t pps = 0;
  uint64_t burst = 0;  // packets
};
/// The packet rate in VM `vm`'s group, if it has one: what it sends (`egress`, chain port-NAME) or receives
/// (chain in-NAME).
std::optional<PacketRate> PacketRateOf(const Attrs& group, const std::string& vm, bool egress);

/// The nfttable's `chains` attribute with the policy's base chains: both tables, as the driver reads it back.
std::string PolicyTableChains();

/// Why a drop counter in chain `chain` (attr key form) with rule `rule` drops: "spoof", "host", "peers",
/// "egress", "rate" (a packet rate); "" for rules that are not a VM's drop. The VM is the chain name after its prefix.
struct DropCounter {
  std::string vm;
  std::string reason;
};
DropCounter ClassifyDrop(const std::string& chain, const std::string& rule);

}  // namespace berth::reconciler::linux_res
