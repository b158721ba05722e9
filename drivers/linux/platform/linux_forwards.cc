// Port forward rules, in nft's listing form (checked by the rule codec, nft_rule_spec.cc). Each forward needs
// a dnat in prerouting (plus one for the hairpin when an egress narrows it), one in output (host-local
// clients), a hairpin masquerade, a forward accept, and the hairpin's exemption in "base/forwards".
// A NAT's plain forwards (one port, any source, any local address) share those rules: each is an element of
// the rules' dnat map and target set (nft_concat.h), so a NAT costs a few rules however many forwards it has.
// A forward with a range, `from` or `listen` keeps rules of its own.
#include "drivers/linux/platform/linux_forwards.h"

#include <algorithm>

#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/nft_concat.h"
#include "model/parse_values.h"

namespace berth::reconciler::linux_res {
namespace {

const std::string kBridgeForward = std::string(kBridgePrefix) + "forward";

void Append(Attrs& attrs, const std::string& key, const std::string& line) {
  std::string& text = attrs[key];
  if (!text.empty()) text += "\n";
  text += line;
}

/// nft's listing form of an address match: a /32 prints as the address; /0 is no match at all.
std::string Match(const char* field, const model::Cidr4& cidr) {
  if (cidr.prefix == 0) return "";
  if (cidr.prefix == 32) return std::string(field) + " " + cidr.address.ToString() + " ";
  return std::string(field) + " " + cidr.ToString() + " ";
}

/// The smaller of two networks when one holds the other (CIDRs nest or are apart); nullopt when apart.
std::optional<model::Cidr4> Intersect(const model::Cidr4& a, const model::Cidr4& b) {
  if (!a.Overlaps(b)) return std::nullopt;
  return a.prefix >= b.prefix ? a : b;
}

std::string Ports(uint16_t low, uint16_t high) {
  return low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high);
}

struct ForwardText {
  std::string dport;   // "tcp dport 8080 "
  std::string tport;   // "tcp dport 80 ": the target's port(s) after dnat
  std::string dnat;    // "dnat ip to 10.168.0.10:80"; a range keeps its ports: "dnat ip to 10.168.0.10"
  std::string target;  // "ip daddr 10.168.0.10 "
};

ForwardText TextOf(const model::PortForward& f) {
  const std::string proto = ToString(f.protocol);
  const uint16_t to_last = static_cast<uint16_t>(f.to_port + (f.last() - f.port));
  ForwardText t;
  t.dport = proto + " dport " + Ports(f.port, f.last()) + " ";
  t.tport = proto + " dport " + Ports(f.to_port, to_last) + " ";
  t.dnat = "dnat ip to " + f.to_address.ToString() + (f.is_range() ? "" : ":" + std::to_string(f.to_port));
  t.target = "ip daddr " + f.to_address.ToString() + " ";
  return t;
}

/// The sources a forward accepts: its from list, or everything.
std::vector<model::Cidr4> Sources(const model::PortForward& f) {
  if (!f.from.empty()) return f.from;
  return {model::Cidr4{model::Ipv4{0}, 0}};
}

bool AnyLocalhost(const model::Nat& nat) {
  for (const auto& f : nat.forwards)
    if (f.localhost) return true;
  return false;
}

/// A forward that is an element of its NAT's shared rules rather than rules of its own.
bool Shared(const model::PortForward& f) { return !f.is_range() && f.from.empty() && !f.listen; }

/// The elements of a NAT's shared forwards: all of them, and those that also take 127.0.0.1.
struct SharedForwards {
  std::vector<std::string> dnat, targets, local_dnat, local_targets;
  std::vector<unsigned> protocols, local_protocols;
  bool empty() const { return dnat.empty(); }
};

void AddProtocol(std::vector<unsigned>& protocols, model::Protocol p) {
  const unsigned number = ProtocolNumber(ToString(p));
  if (std::find(protocols.begin(), protocols.end(), number) == protocols.end()) protocols.push_back(number);
}

SharedForwards SharedOf(const model::Nat& nat) {
  SharedForwards out;
  for (const auto& f : nat.forwards) {
    if (!Shared(f)) continue;
    const std::string proto = ToString(f.protocol), to = f.to_address.ToString();
    const std::string dnat = proto + " . " + std::to_string(f.port) + " : " + to + " . " + std::to_string(f.to_port);
    const std::string target = to + " . " + proto + " . " + std::to_string(f.to_port);
    out.dnat.push_back(dnat);
    out.targets.push_back(target);
    AddProtocol(out.protocols, f.protocol);
    if (!f.localhost) continue;
    out.local_dnat.push_back(dnat);
    out.local_targets.push_back(target);
    AddProtocol(out.local_protocols, f.protocol);
  }
  return out;
}

/// "meta l4proto { tcp, udp } ": a dnat to a port needs the transport protocol matched. One protocol is
/// matched by the map's port itself ("tcp dport"), as nft lists it.
std::string ProtocolMatch(std::vector<unsigned> protocols) {
  std::sort(protocols.begin(), protocols.end());
  if (protocols.size() == 1) return "";
  std::string out = "meta l4proto { ";
  for (size_t i = 0; i < protocols.size(); ++i) out += (i ? ", " : "") + ProtocolName(protocols[i]);
  return out + " } ";
}

/// The map's port: "th dport" after a match of several protocols, else that protocol's ("tcp dport").
std::string DnatMap(const std::vector<std::string>& elements, const std::vector<unsigned>& protocols) {
  const std::string port = protocols.size() == 1 ? ProtocolName(protocols[0]) : "th";
  return "dnat ip to meta l4proto . " + port + " dport map " + ConcatList(elements, ConcatForm::kDnatMap);
}

std::string Targets(const std::vector<std::string>& elements) {
  return "ip daddr . meta l4proto . th dport " + ConcatList(elements, ConcatForm::kTargetSet) + " ";
}

/// The shared rules of a NAT's plain forwards, in the chains AddForwardRules fills.
void AddSharedRules(const model::Nat& nat, const model::Cidr4& source, Attrs& attrs) {
  const SharedForwards shared = SharedOf(nat);
  if (shared.empty()) return;
  const std::string local = "fib daddr type local ", protocols = ProtocolMatch(shared.protocols);
  const std::string dnat = DnatMap(shared.dnat, shared.protocols), targets = Targets(shared.targets);
  if (nat.egress) {
    Append(attrs, kChainPrerouting, "iifname \"" + *nat.egress + "\" " + local + protocols + dnat);
    Append(attrs, kChainPrerouting, Match("ip saddr", source) + local + protocols + dnat);
  } else {
    Append(attrs, kChainPrerouting, local + protocols + dnat);
  }
  Append(attrs, kChainOutput, local + "ip daddr != 127.0.0.0/8 " + protocols + dnat);
  Append(attrs, kChainPostrouting, Match("ip saddr", source) + "ct status dnat " + targets + "masquerade");
  if (!shared.local_dnat.empty()) {
    const std::string local_dnat = DnatMap(shared.local_dnat, shared.local_protocols);
    Append(attrs, kChainOutput, "ip daddr 127.0.0.1 " + ProtocolMatch(shared.local_protocols) + local_dnat);
    Append(attrs, kChainPostrouting,
           "ip saddr 127.0.0.0/8 ct status dnat " + Targets(shared.local_targets) + "masquerade");
  }
  Append(attrs, kChainForward, "ct status dnat " + targets + "accept");
}

model::Cidr4 SourceOf(const model::Nat& nat, const model::Manifest& manifest) {
  if (auto* cidr = std::get_if<model::Cidr4>(&nat.source)) return cidr->Network();
  const model::Bridge* bridge = manifest.FindBridge(std::get<std::string>(nat.source));
  return bridge ? bridge->address.Network() : model::Cidr4{};
}

}  // namespace

void AddForwardRules(const model::Nat& nat, const model::Cidr4& source, Attrs& attrs) {
  AddSharedRules(nat, source, attrs);
  for (const auto& f : nat.forwards) {
    if (Shared(f)) continue;
    if (f.listen) {
      const std::string address = f.listen->ToString();
      const std::string& known = attrs[kListen];
      if (("\n" + known + "\n").find("\n" + address + "\n") == std::string::npos) Append(attrs, kListen, address);
    }
    const ForwardText t = TextOf(f);
    const std::string listen = f.listen ? "ip daddr " + f.listen->ToString() + " " : "fib daddr type local ";
    // Host-local clients: every local address but loopback, which only localhost: true opens (it needs
    // route_localnet, and a local service on 127.0.0.1 keeps the port otherwise).
    const std::string local = f.listen ? listen : "fib daddr type local ip daddr != 127.0.0.0/8 ";
    for (const model::Cidr4& from : Sources(f)) {
      const std::string s = Match("ip saddr", from);
      if (nat.egress) {
        Append(attrs, kChainPrerouting, "iifname \"" + *nat.egress + "\" " + s + listen + t.dport + t.dnat);
        // The egress narrows outside clients; the NAT's own workloads reach the forward from the bridge.
        if (auto hairpin = Intersect(from, source))
          Append(attrs, kChainPrerouting, Match("ip saddr", *hairpin) + listen + t.dport + t.dnat);
      } else {
        Append(attrs, kChainPrerouting, s + listen + t.dport + t.dnat);
      }
      Append(attrs, kChainOutput, s + local + t.dport + t.dnat);
      if (f.localhost) Append(attrs, kChainOutput, s + "ip daddr 127.0.0.1 " + t.dport + t.dnat);
    }
    // Replies of a hairpin connection must come back through the host, not straight across the bridge; a
    // loopback source cannot leave the host at all.
    Append(attrs, kChainPostrouting, Match("ip saddr", source) + t.target + t.tport + "ct status dnat masquerade");
    if (f.localhost) Append(attrs, kChainPostrouting, "ip saddr 127.0.0.0/8 " + t.target + t.tport + "ct status dnat masquerade");
    Append(attrs, kChainForward, t.target + t.tport + "ct status dnat accept");
  }
}

void ExpandForwards(const model::Manifest& manifest, DesiredBuilder& b) {
  Attrs base;
  const model::Nat* first = nullptr;
  for (const auto& nat : manifest.nats) {
    if (nat.forwards.empty()) continue;
    if (!first) first = &nat;
    const model::Cidr4 source = SourceOf(nat, manifest);
    if (const SharedForwards shared = SharedOf(nat); !shared.empty())
      Append(base, kChainPreroute, Match("ip saddr", source) + "ct status dnat " + Targets(shared.targets) + "accept");
    for (const auto& f : nat.forwards) {
      if (Shared(f)) continue;
      // A workload's connection to a forward, once DNAT'd to the target's published port, passes the policy's
      // egress and peers judgement: only that port, and only through the dnat (ct status).
      const ForwardText t = TextOf(f);
      const std::string hairpin = Match("ip saddr", source) + "ct status dnat " + t.target + t.tport + "accept";
      Append(base, kChainPreroute, hairpin);
    }
    // With bridge netfilter on, a packet whose DNAT (or its reversal, for a reply) sends it back into the bridge
    // it came from is bridged port to port, where the layer-2 peers check would drop it. Such a frame was
    // addressed to the bridge itself (pkttype host, which a frame the bridge forwards has in no other case) and
    // has been judged by the inet chains above, through bridge netfilter's IP hooks: pass it.
    Append(base, kBridgeForward, "meta pkttype host " + Match("ip daddr", source) + "accept");
    if (AnyLocalhost(nat)) {
      if (const auto* bridge = std::get_if<std::string>(&nat.source))
        b.Add(kSysctl, "", RouteLocalnetSysctl(*bridge), {{kValue, "1"}}, nat.doc);
    }
  }
  if (!first) return;
  {
    // CVE-2020-8558: route_localnet lets packets to 127/8 arrive from the bridge; nothing from outside may open
    // a connection to (or come from) loopback. Replies to the host's own loopback clients are established.
    // With any forward, not only a localhost one: a forward losing `localhost` keeps the guard until its
    // route_localnet is off (a removal ordered before this group's, which needs it). Without route_localnet
    // the kernel drops such packets anyway, so the guard costs nothing.
    std::string& text = base[kChainPreroute];
    text = "iifname != \"lo\" ip saddr 127.0.0.0/8 counter drop\n"
           "iifname != \"lo\" ip daddr 127.0.0.0/8 ct state != established | related counter drop\n" +
           text;
  }
  b.Add(kNft, "", kForwardsGroup, std::move(base), first->doc);
}

std::string RouteLocalnetSysctl(const std::string& bridge) { return "net.ipv4.conf." + bridge + ".route_localnet"; }

std::string RouteLocalnetBridge(std::string_view sysctl) {
  constexpr std::string_view kHead = "net.ipv4.conf.", kTail = ".route_localnet";
  if (!sysctl.starts_with(kHead) || !sysctl.ends_with(kTail) || sysctl.size() <= kHead.size() + kTail.size())
    return "";
  const std::string_view name = sysctl.substr(kHead.size(), sysctl.size() - kHead.size() - kTail.size());
  return model::IsInterfaceName(name) && name.size() <= 15 ? std::string(name) : "";
}

namespace {

/// The dnat rules of `chain`, a shared rule as the rule each of its forwards would have on its own
/// ("fib daddr type local tcp dport 8080 dnat ip to 10.168.0.10:80"), so the plan names forwards, not lists.
std::vector<std::string> RuleLines(const Resource& r, const char* chain) {
  static const std::string kMap = "dnat ip to meta l4proto . ";
  std::vector<std::string> out;
  const std::string text = r.AttrOr(chain);
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    const size_t map = line.find(kMap), open = line.find(" dport map { ");
    if (map == std::string::npos || open == std::string::npos || !line.ends_with(" }")) {
      if (!line.empty()) out.push_back(line);
      continue;
    }
    std::string prefix = line.substr(0, map);
    if (size_t protocols = prefix.find("meta l4proto { "); protocols != std::string::npos) prefix.resize(protocols);
    const size_t from = open + std::string(" dport map { ").size();
    const std::string body = line.substr(from, line.size() - 2 - from);
    for (size_t e = 0; e <= body.size();) {
      size_t stop = body.find(", ", e);
      if (stop == std::string::npos) stop = body.size();
      // "tcp . 8080 : 10.168.0.10 . 80" -> "tcp dport 8080 dnat ip to 10.168.0.10:80"
      std::string element = body.substr(e, stop - e);
      e = stop + 2;
      const size_t dot = element.find(" . "), colon = element.find(" : "), last = element.rfind(" . ");
      if (dot == std::string::npos || colon == std::string::npos || last <= colon) continue;
      out.push_back(prefix + element.substr(0, dot) + " dport " + element.substr(dot + 3, colon - dot - 3) +
                    " dnat ip to " + element.substr(colon + 3, last - colon - 3) + ":" + element.substr(last + 3));
    }
  }
  return out;
}

}  // namespace

void AddForwardWidenings(const ChangeSet& changes, std::vector<Widening>& out) {
  for (const Change& c : changes.changes) {
    if (!c.before || !c.after || c.key().kind != kNft || !c.key().name.starts_with("nat/")) continue;
    std::vector<std::string> items;
    for (const char* chain : {kChainPrerouting, kChainOutput}) {
      const auto before = RuleLines(*c.before, chain);
      for (const std::string& rule : RuleLines(*c.after, chain)) {
        if (std::find(before.begin(), before.end(), rule) != before.end()) continue;
        const bool loopback = rule.find("ip daddr 127.0.0.1 ") != std::string::npos;
        items.push_back(std::string(loopback ? "localhost" : chain == kChainOutput ? "host-local" : "forward") +
                        " +\"" + rule + "\"");
      }
    }
    if (items.empty()) continue;
    out.push_back({"NAT/" + c.key().name.substr(4), "", "", std::move(items)});
  }
  std::sort(out.begin(), out.end(), [](const Widening& a, const Widening& b) { return a.workload < b.workload; });
}

}  // namespace berth::reconciler::linux_res
