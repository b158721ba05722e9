// Port forwards on Linux (docs/forwards.md): dnat for outside clients and VMs of the host (hairpin) in the nat
// prerouting chain, for host-local clients in the nat output chain; masquerade of the hairpin and loopback
// connections so replies return the same way; the hairpin's exemption from the policy and the 127/8 guard.
#pragma once

#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/desired_builder.h"
#include "reconciler/diff.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

inline constexpr const char* kChainOutput = "output";
/// A NAT group's listen addresses, one per line: for the plan-time check that the host has them; never compared.
inline constexpr const char* kListen = "listen";  // inet nat chain on the output hook (host-local clients)

/// The group "base/forwards": ahead of "base/policy" in every base chain (groups are ordered by name), so a
/// VM's connection to a forward, once DNAT'd, is judged as inbound to the target, not as the VM's egress.
inline constexpr const char* kForwardsGroup = "base/forwards";

/// A NAT's forward rules, added to its group's chains. `source` is the NAT's source range.
void AddForwardRules(const model::Nat& nat, const model::Cidr4& source, Attrs& attrs);

/// The "base/forwards" group and the route_localnet settings the NATs' forwards need; nothing without forwards.
/// The NATs have added berth's nft table already.
void ExpandForwards(const model::Manifest& manifest, DesiredBuilder& b);

/// Appends to `out` (kept sorted by workload) each NAT whose update opens new forward rules: items such as
/// `forward +"fib daddr type local tcp dport 8080 dnat ip to 10.168.0.10:80"`, `localhost +"..."`.
void AddForwardWidenings(const ChangeSet& changes, std::vector<Widening>& out);

/// "net.ipv4.conf.BRIDGE.route_localnet": the one per-interface sysctl berth sets, always to 1.
std::string RouteLocalnetSysctl(const std::string& bridge);
/// The bridge of a route_localnet sysctl name berth emits; empty for any other name.
std::string RouteLocalnetBridge(std::string_view sysctl);

}  // namespace berth::reconciler::linux_res
