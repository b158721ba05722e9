// Policy values, inheritance with the secure defaults, the one-line reach and what a change widens.
#include "model/policy.h"

#include <algorithm>

namespace berth::model {
namespace {

bool CidrInside(const Cidr4& inner, const Cidr4& outer) {
  return inner.prefix >= outer.prefix && outer.Contains(inner.network());
}

bool ProtocolInside(PolicyProtocol inner, PolicyProtocol outer) {
  return outer == PolicyProtocol::kAny || inner == outer;
}

// A port restriction `inner` (absent: every port) inside `outer`.
bool PortInside(const std::optional<PortRange>& inner, const std::optional<PortRange>& outer) {
  if (!outer) return true;
  return inner && outer->Contains(*inner);
}

std::string ProtoPort(PolicyProtocol protocol, const std::optional<PortRange>& port) {
  std::string out = ToString(protocol);
  if (port) out += "/" + port->ToString();
  return out;
}

bool HostInside(const HostRule& inner, const HostRule& outer) {
  return ProtocolInside(inner.protocol, outer.protocol) && PortInside(inner.port, outer.port);
}

bool Covered(const EgressRule& rule, const std::vector<EgressRule>& rules) {
  return std::any_of(rules.begin(), rules.end(), [&](const EgressRule& r) { return rule.Inside(r); });
}

// The implicit host entries, then the given ones.
std::vector<HostRule> AllHost(const EffectivePolicy& p) {
  std::vector<HostRule> out{{PolicyProtocol::kIcmp, std::nullopt, {}}};
  if (p.gateway_dns) {
    out.push_back({PolicyProtocol::kUdp, PortRange{53, 53}, {}});
    out.push_back({PolicyProtocol::kTcp, PortRange{53, 53}, {}});
  }
  out.insert(out.end(), p.host.begin(), p.host.end());
  return out;
}

template <typename T>
const T* Pick(const Policy* vm, const Policy* bridge, std::optional<T> Policy::*member) {
  if (vm && vm->*member) return &*(vm->*member);
  if (bridge && bridge->*member) return &*(bridge->*member);
  return nullptr;
}

}  // namespace

const char* ToString(PolicyProtocol protocol) {
  switch (protocol) {
    case PolicyProtocol::kAny: return "any";
    case PolicyProtocol::kTcp: return "tcp";
    case PolicyProtocol::kUdp: return "udp";
    case PolicyProtocol::kIcmp: return "icmp";
  }
  return "?";
}

const char* ToString(NamedSet set) {
  switch (set) {
    case NamedSet::kPrivate: return "private";
    case NamedSet::kLinkLocal: return "link-local";
    case NamedSet::kMulticast: return "multicast";
  }
  return "?";
}

std::optional<NamedSet> ParseNamedSet(std::string_view text) {
  if (text == "private") return NamedSet::kPrivate;
  if (text == "link-local") return NamedSet::kLinkLocal;
  if (text == "multicast") return NamedSet::kMulticast;
  return std::nullopt;
}

std::vector<Cidr4> Cidrs(NamedSet set) {
  auto c = [](const char* text) { return *Cidr4::Parse(text); };
  switch (set) {
    case NamedSet::kPrivate: return {c("10.0.0.0/8"), c("172.16.0.0/12"), c("192.168.0.0/16"), c("100.64.0.0/10")};
    case NamedSet::kLinkLocal: return {c("169.254.0.0/16")};
    case NamedSet::kMulticast: return {c("224.0.0.0/4")};
  }
  return {};
}

std::string PortRange::ToString() const {
  return low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
}

std::vector<Cidr4> EgressRule::Cidrs() const {
  if (const auto* cidr = std::get_if<Cidr4>(&to)) return {*cidr};
  return model::Cidrs(std::get<NamedSet>(to));
}

bool EgressRule::Inside(const EgressRule& outer) const {
  if (!ProtocolInside(protocol, outer.protocol) || !PortInside(port, outer.port)) return false;
  const auto outers = outer.Cidrs();
  for (const Cidr4& inner : Cidrs())
    if (std::none_of(outers.begin(), outers.end(), [&](const Cidr4& o) { return CidrInside(inner, o); }))
      return false;
  return true;
}

std::string EgressRule::ToString() const {
  std::string out;
  if (const auto* cidr = std::get_if<Cidr4>(&to))
    out = cidr->ToString();
  else
    out = model::ToString(std::get<NamedSet>(to));
  if (protocol != PolicyProtocol::kAny) out += " " + ProtoPort(protocol, port);
  return out;
}

EffectivePolicy ResolvePolicy(const Policy* vm, const Policy* bridge, const Cidr4& bridge_address,
                              const std::vector<std::string>& dns, bool inbound_any) {
  EffectivePolicy p;
  p.gateway = bridge_address.address;
  p.subnet = bridge_address.Network();
  p.inbound_any = inbound_any;
  p.gateway_dns = std::find(dns.begin(), dns.end(), p.gateway.ToString()) != dns.end();
  // Each field as a whole: the VM's when it sets it, else the bridge's, else the default.
  if (auto* v = Pick(vm, bridge, &Policy::host)) p.host = *v;
  if (auto* v = Pick(vm, bridge, &Policy::peers)) p.peers = *v;
  if (auto* v = Pick(vm, bridge, &Policy::egress_default_allow)) p.egress_default_allow = *v;
  if (auto* v = Pick(vm, bridge, &Policy::egress_allow)) p.egress_allow = *v;
  if (auto* v = Pick(vm, bridge, &Policy::egress_deny)) p.egress_deny = *v;
  // link-local (cloud metadata) is denied unless an entry names that set; an allow entry inside it still wins.
  auto names_link_local = [](const EgressRule& r) {
    const auto* set = std::get_if<NamedSet>(&r.to);
    return set && *set == NamedSet::kLinkLocal;
  };
  if (std::none_of(p.egress_allow.begin(), p.egress_allow.end(), names_link_local) &&
      std::none_of(p.egress_deny.begin(), p.egress_deny.end(), names_link_local))
    p.egress_deny.insert(p.egress_deny.begin(), EgressRule{NamedSet::kLinkLocal, PolicyProtocol::kAny, {}, {}});
  for (auto& r : p.host) r.span = {};
  for (auto& r : p.egress_allow) r.span = {};
  for (auto& r : p.egress_deny) r.span = {};
  return p;
}

std::string DescribeReach(const EffectivePolicy& p) {
  std::string out = "host";
  for (const HostRule& r : AllHost(p)) out += " " + ProtoPort(r.protocol, r.port);
  out += std::string("; peers ") + (p.peers == PeerMode::kAllow ? "allow" : "deny");
  out += std::string("; egress ") + (p.egress_default_allow ? "allow" : "deny");
  auto list = [&](const char* verb, const std::vector<EgressRule>& rules) {
    if (rules.empty()) return;
    out += std::string(", ") + verb;
    for (const auto& r : rules) out += " " + r.ToString();
  };
  list("deny", p.egress_deny);
  list("allow", p.egress_allow);
  out += std::string("; inbound ") + (p.inbound_any ? "any" : "replies");
  return out;
}

std::vector<std::string> Widenings(const EffectivePolicy& before, const EffectivePolicy& after) {
  std::vector<std::string> out;
  const auto before_host = AllHost(before);
  for (const HostRule& r : AllHost(after))
    if (std::none_of(before_host.begin(), before_host.end(), [&](const HostRule& b) { return HostInside(r, b); }))
      out.push_back("host +" + ProtoPort(r.protocol, r.port));
  if (after.peers == PeerMode::kAllow && before.peers == PeerMode::kDeny) out.push_back("peers +allow");
  if (after.egress_default_allow && !before.egress_default_allow) out.push_back("egress +default allow");
  for (const EgressRule& r : after.egress_allow)
    if (!Covered(r, before.egress_allow)) out.push_back("egress +" + r.ToString());
  for (const EgressRule& r : before.egress_deny)
    if (!Covered(r, after.egress_deny)) out.push_back("egress -deny " + r.ToString());
  if (after.inbound_any && !before.inbound_any) out.push_back("inbound +any");
  return out;
}

}  // namespace berth::model
