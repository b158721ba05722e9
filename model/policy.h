// The network policy of a VM (spec.network.policy) and of a Bridge (spec.policy, the default for its VMs):
// what a VM may open on the host, whether it may talk to other VMs, and where its routed traffic may go.
// EffectivePolicy resolves inheritance and adds the secure defaults; docs/isolation.md explains the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/net.h"
#include "model/source_span.h"

namespace berth::model {

enum class PolicyProtocol { kAny, kTcp, kUdp, kIcmp };
const char* ToString(PolicyProtocol protocol);  // "any", "tcp", "udp", "icmp"

/// A port or an inclusive range "low-high"; low == high for a single port.
struct PortRange {
  uint16_t low = 0;
  uint16_t high = 0;
  bool Contains(const PortRange& other) const { return low <= other.low && other.high <= high; }
  std::string ToString() const;  // "53" or "8000-8099"
  friend auto operator<=>(const PortRange&, const PortRange&) = default;
};

/// policy.host[i]: {protocol: tcp, port: "8000-8099"}; icmp means echo requests.
struct HostRule {
  PolicyProtocol protocol = PolicyProtocol::kTcp;
  std::optional<PortRange> port;  // tcp/udp only; absent: every port
  SourceSpan span;
  friend bool operator==(const HostRule& a, const HostRule& b) { return a.protocol == b.protocol && a.port == b.port; }
};

/// Named address sets an egress entry may use instead of a CIDR.
enum class NamedSet { kPrivate, kLinkLocal, kMulticast };
const char* ToString(NamedSet set);  // "private", "link-local", "multicast"
/// The CIDRs of a named set: private = 10/8, 172.16/12, 192.168/16, 100.64/10; link-local = 169.254/16;
/// multicast = 224/4.
std::vector<Cidr4> Cidrs(NamedSet set);
std::optional<NamedSet> ParseNamedSet(std::string_view text);

/// policy.egress.allow[i] / deny[i]: {to: 10.20.0.5/32, protocol: tcp, port: 443} or {to: private}.
struct EgressRule {
  std::variant<Cidr4, NamedSet> to;
  PolicyProtocol protocol = PolicyProtocol::kAny;
  std::optional<PortRange> port;  // tcp/udp only
  SourceSpan span;

  std::vector<Cidr4> Cidrs() const;
  /// True when every packet this rule matches is matched by `outer` too.
  bool Inside(const EgressRule& outer) const;
  std::string ToString() const;  // "10.20.0.5/32 tcp/443", "private", "link-local icmp"
  friend bool operator==(const EgressRule& a, const EgressRule& b) {
    return a.to == b.to && a.protocol == b.protocol && a.port == b.port;
  }
};

enum class PeerMode { kDeny, kAllow };

/// The policy block as written: every field optional, so a VM's block replaces only what it sets.
///   policy: {host: [...], peers: allow, egress: {default: deny, allow: [...], deny: [...]}}
struct Policy {
  std::optional<std::vector<HostRule>> host;
  std::optional<PeerMode> peers;
  std::optional<bool> egress_default_allow;
  std::optional<std::vector<EgressRule>> egress_allow;
  std::optional<std::vector<EgressRule>> egress_deny;
  SourceSpan span;
};

/// A VM's resolved policy: the VM's block over its bridge's, plus the implicit entries (ICMP echo and, when the
/// VM's dns names the gateway, DNS to the gateway; link-local denied). Comparable: a plan compares reaches.
struct EffectivePolicy {
  Ipv4 gateway;
  Cidr4 subnet;                        // the bridge's subnet: bridged, never "egress"
  bool gateway_dns = false;            // udp and tcp 53 to the gateway (implicit)
  std::vector<HostRule> host;          // what the VM may open on any host address (beyond the implicit)
  PeerMode peers = PeerMode::kDeny;
  bool egress_default_allow = true;
  std::vector<EgressRule> egress_allow;
  std::vector<EgressRule> egress_deny;  // implicit link-local first unless the VM's own entries name it
  bool inbound_any = false;             // mode full: new inbound connections from outside are admitted

  friend bool operator==(const EffectivePolicy&, const EffectivePolicy&) = default;
};

/// Resolves `vm` over `bridge` (either may be null). `dns` is the VM's nameserver list.
EffectivePolicy ResolvePolicy(const Policy* vm, const Policy* bridge, const Cidr4& bridge_address,
                              const std::vector<std::string>& dns, bool inbound_any);

/// One line: "host icmp udp/53 tcp/53 tcp/8000-8099; peers deny; egress allow, deny link-local 203.0.113.0/24,
/// allow 10.20.0.5/32 tcp/443; inbound replies". Stable: show prints it and plan compares it.
std::string DescribeReach(const EffectivePolicy& policy);

/// What `after` allows beyond `before`, as plan lines' items ("host +tcp/2222", "peers +allow", "egress
/// +10.20.0.0/16"); empty when `after` allows nothing `before` did not. Conservative: a changed entry whose
/// inclusion cannot be shown counts as widening.
std::vector<std::string> Widenings(const EffectivePolicy& before, const EffectivePolicy& after);

}  // namespace berth::model
