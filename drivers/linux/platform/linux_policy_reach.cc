// Reading a VM's policy back from its rules. Positions follow AddVmPolicy (linux_policy.cc): host chain = the
// gateway's implicit entries then the VM's; out chain = peers, the subnet, allow entries, deny entries, default.
#include "drivers/linux/platform/linux_policy_reach.h"

#include <algorithm>
#include <sstream>

#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::reconciler::linux_res {
namespace {

using model::PolicyProtocol;

std::vector<std::string> Lines(const std::string* text) {
  std::vector<std::string> out;
  if (!text) return out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

const std::string* AttrWithPrefix(const Resource& r, const std::string& prefix) {
  for (const auto& [k, v] : r.attrs)
    if (k.starts_with(prefix)) return &v;
  return nullptr;
}

std::optional<model::PortRange> ReadRange(const std::string& text) {
  size_t dash = text.find('-');
  try {
    int low = std::stoi(text.substr(0, dash)), high = dash == std::string::npos ? low : std::stoi(text.substr(dash + 1));
    if (low < 1 || high > 65535 || low > high) return std::nullopt;
    return model::PortRange{static_cast<uint16_t>(low), static_cast<uint16_t>(high)};
  } catch (...) {
    return std::nullopt;
  }
}

// "tcp dport 443 " / "meta l4proto udp " / "" at the front of `rest` (consumed).
PolicyProtocol ReadProto(std::string& rest, std::optional<model::PortRange>& port) {
  for (auto [name, proto] : {std::pair{"tcp", PolicyProtocol::kTcp}, std::pair{"udp", PolicyProtocol::kUdp}}) {
    const std::string dport = std::string(name) + " dport ";
    if (rest.starts_with(dport)) {
      size_t end = rest.find(' ', dport.size());
      port = ReadRange(rest.substr(dport.size(), end - dport.size()));
      rest = end == std::string::npos ? "" : rest.substr(end + 1);
      return proto;
    }
  }
  for (auto [name, proto] : {std::pair{"meta l4proto tcp ", PolicyProtocol::kTcp},
                             std::pair{"meta l4proto udp ", PolicyProtocol::kUdp},
                             std::pair{"meta l4proto icmp ", PolicyProtocol::kIcmp}}) {
    if (rest.starts_with(name)) {
      rest = rest.substr(std::string_view(name).size());
      return proto;
    }
  }
  return PolicyProtocol::kAny;
}

// "ip daddr 10.0.0.0/8 tcp dport 443 accept": the entry; nullopt when the line is not one.
std::optional<model::EgressRule> ReadEgress(std::string line) {
  model::EgressRule r;
  r.to = model::Cidr4{model::Ipv4{0}, 0};
  if (line.starts_with("ip daddr ")) {
    size_t end = line.find(' ', 9);
    std::string text = line.substr(9, end - 9);
    auto cidr = model::Cidr4::Parse(text.find('/') == std::string::npos ? text + "/32" : text);
    if (!cidr) return std::nullopt;
    r.to = *cidr;
    line = end == std::string::npos ? "" : line.substr(end + 1);
  }
  r.protocol = ReadProto(line, r.port);
  if (line != "accept" && line != "counter drop") return std::nullopt;
  return r;
}

// Runs of consecutive CIDR entries that spell a named set, with one protocol and port, become that set.
std::vector<model::EgressRule> Collapse(const std::vector<model::EgressRule>& rules) {
  std::vector<model::EgressRule> out;
  for (size_t i = 0; i < rules.size();) {
    bool done = false;
    for (auto set : {model::NamedSet::kPrivate, model::NamedSet::kLinkLocal, model::NamedSet::kMulticast}) {
      const auto cidrs = model::Cidrs(set);
      if (i + cidrs.size() > rules.size()) continue;
      bool match = true;
      for (size_t k = 0; k < cidrs.size() && match; ++k) {
        const auto* c = std::get_if<model::Cidr4>(&rules[i + k].to);
        match = c && *c == cidrs[k] && rules[i + k].protocol == rules[i].protocol && rules[i + k].port == rules[i].port;
      }
      if (!match) continue;
      out.push_back({set, rules[i].protocol, rules[i].port, {}});
      i += cidrs.size();
      done = true;
      break;
    }
    if (!done) out.push_back(rules[i++]);
  }
  return out;
}

}  // namespace

std::optional<model::EffectivePolicy> ReachFromGroup(const Resource& group) {
  const auto host = Lines(AttrWithPrefix(group, std::string(kInetPrefix) + "host-"));
  const auto out = Lines(AttrWithPrefix(group, std::string(kInetPrefix) + "out-"));
  if (host.empty() || out.empty()) return std::nullopt;
  model::EffectivePolicy p;
  for (const auto& line : Lines(group.Attr(kElements))) {
    if (line.starts_with("inet peers_ok ")) p.peers = model::PeerMode::kAllow;
    if (line.starts_with("inet full_vms ")) p.inbound_any = true;
  }
  for (const std::string& line : host) {
    if (line == "counter drop") continue;
    if (line.starts_with("ip daddr ")) {  // implicit, to the gateway
      size_t end = line.find(' ', 9);
      if (auto gw = model::Ipv4::Parse(line.substr(9, end - 9))) p.gateway = *gw;
      if (line.find(" dport 53 ") != std::string::npos) p.gateway_dns = true;
      continue;
    }
    model::HostRule r;
    if (line == "icmp type echo-request accept") {
      r.protocol = PolicyProtocol::kIcmp;
    } else {
      std::string rest = line;
      r.protocol = ReadProto(rest, r.port);
      if (rest != "accept" || r.protocol == PolicyProtocol::kAny) return std::nullopt;
    }
    p.host.push_back(r);
  }
  size_t i = 0;
  while (i < out.size() && out[i].find("@vms") != std::string::npos) ++i;
  if (i >= out.size()) return std::nullopt;
  if (auto subnet = ReadEgress(out[i++]); subnet && std::holds_alternative<model::Cidr4>(subnet->to))
    p.subnet = std::get<model::Cidr4>(subnet->to);
  std::vector<model::EgressRule> allow, deny;
  for (; i + 1 < out.size(); ++i) {
    auto r = ReadEgress(out[i]);
    if (!r) return std::nullopt;
    (out[i].ends_with("accept") ? allow : deny).push_back(*r);
  }
  p.egress_default_allow = out.back() == "accept";
  p.egress_allow = Collapse(allow);
  p.egress_deny = Collapse(deny);
  return p;
}

std::vector<ReachWidening> ReachWidenings(const ChangeSet& changes) {
  std::vector<ReachWidening> out;
  for (const Change& c : changes.changes) {
    if (!c.before || !c.after || c.key().kind != kNft || !c.key().name.starts_with("vm/")) continue;
    auto before = ReachFromGroup(*c.before), after = ReachFromGroup(*c.after);
    if (!after) continue;
    // A group without policy chains (written before policies existed) allowed everything.
    std::vector<std::string> items;
    if (before) items = model::Widenings(*before, *after);
    if (items.empty()) continue;
    out.push_back({"VM/" + c.key().name.substr(3), model::DescribeReach(*before), model::DescribeReach(*after),
                   std::move(items)});
  }
  return out;
}

}  // namespace berth::reconciler::linux_res
