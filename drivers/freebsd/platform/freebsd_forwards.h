// The pf translation rules of a NAT's port forwards on FreeBSD: rdr rules on the egress interface (outside
// clients) and, for workloads on the NAT's bridge, the reflection pair of an rdr and a nat on that bridge. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/manifest.h"

namespace berth::reconciler::freebsd_res {

/// One translation rule of a forward, in the form `pfctl -s nat` lists it (pf.conf(5) TRANSLATION):
///   rdr on em0 inet proto tcp from 198.51.100.0/24 to 192.0.2.10 port = 8443 -> 10.30.0.10 port 443
///   rdr on em0 inet proto udp from any to any port 9000:9099 -> 10.30.0.10 port 9000:9099
///   nat on jailbr0 inet proto tcp from 10.30.0.0/24 to 10.30.0.10 port = 80 -> (jailbr0)
struct PfForwardRule {
  bool nat = false;                 // false: rdr
  std::string on;                   // the interface the rule applies on
  model::Protocol protocol = model::Protocol::kTcp;
  std::optional<model::Cidr4> from;  // nullopt: any
  std::string to;                   // "any", an address, or "(IF)" (the interface's current addresses)
  uint16_t port = 0, port_last = 0;  // the matched destination port(s); port_last == port for one
  std::string target;               // rdr: the target address; nat: "(IF)"
  uint16_t to_port = 0, to_port_last = 0;  // rdr only: the target port(s)
  friend bool operator==(const PfForwardRule&, const PfForwardRule&) = default;
};

/// The rule's text as pfctl lists it (NormalizePfRule form: "port = N" for one port, "port N:M" for a range,
/// a /32 source without its prefix, 0.0.0.0/0 as "any" (print_addr), no "round-robin").
std::string FormatPfForwardRule(const PfForwardRule& rule);

/// The rule FormatPfForwardRule would print for `line`, or nullopt when `line` is not of that form (the record
/// check: a rule reaches pfctl only when formatting its parse gives it back exactly).
std::optional<PfForwardRule> ParsePfForwardRule(std::string_view line);

/// Where a NAT's forwards apply: the egress interface, and the bridge its source names (nullopt for a CIDR
/// source: no reflection, the workloads' interface is not known) with that bridge's subnet.
struct ForwardPlace {
  std::string egress;
  std::optional<std::string> bridge;
  model::Cidr4 source;  // network form
};

/// The rules of one forward: `rdr` on the egress (one per `from` network; `to` the listen address or any) and,
/// with a bridge, the reflection `rdr` on the bridge (clients of the source range, intersected with `from`,
/// reaching the listen address, or the egress's or the bridge's own addresses) with its `nat` back onto the bridge,
/// so the target's replies return through the host. Appends to `nat` and `rdr` in order, skipping lines already there.
void AddForwardRules(const ForwardPlace& place, const model::PortForward& forward, std::vector<std::string>& nat,
                     std::vector<std::string>& rdr);

}  // namespace berth::reconciler::freebsd_res
