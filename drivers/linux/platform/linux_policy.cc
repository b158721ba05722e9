// Policy rules per VM. The base chains dispatch once per packet through maps keyed by the VM's address (inet)
// or bridge port (bridge) into the VM's own chains, so the cost per packet is one lookup plus that VM's entries.
// Packets a VM originates are judged every time (all but replies), not only the first: a narrowed
// policy cuts established connections at once; replies to connections the host or a peer opened pass.
#include "drivers/linux/platform/linux_policy.h"

#include <sstream>

#include "model/naming.h"
#include "model/parse_bandwidth.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/nft_rule_spec.h"

namespace berth::reconciler::linux_res {
namespace {

using model::PolicyProtocol;

void Append(Attrs& attrs, const std::string& key, const std::string& line) {
  std::string& text = attrs[key];
  if (!text.empty()) text += "\n";
  text += line;
}

// nft's listing form: a /32 prints as the address, /0 matches everything (no match at all).
std::string DaddrMatch(const model::Cidr4& cidr) {
  if (cidr.prefix == 0) return "";
  if (cidr.prefix == 32) return "ip daddr " + cidr.address.ToString() + " ";
  return "ip daddr " + cidr.ToString() + " ";
}

std::string ProtoMatch(PolicyProtocol protocol, const std::optional<model::PortRange>& port) {
  const char* name = ToString(protocol);
  if (protocol == PolicyProtocol::kAny) return "";
  if (port) return std::string(name) + " dport " + port->ToString() + " ";
  return std::string("meta l4proto ") + name + " ";
}

std::string HostMatch(const model::HostRule& r) {
  if (r.protocol == PolicyProtocol::kIcmp) return "icmp type echo-request ";
  return ProtoMatch(r.protocol, r.port);
}

// nft's listing of a packet rate's drop (nft_rule_spec.h kLimit): it leaves out a burst of 5, its default.
std::string PacketRateDrop(uint64_t pps, uint64_t burst) {
  std::string rule = "limit rate over " + std::to_string(pps) + "/second ";
  if (burst != 5) rule += "burst " + std::to_string(burst) + " packets ";
  return rule + "counter drop";
}

}  // namespace

Attrs PolicyBaseRules() {
  Attrs a;
  // Replies (and related ICMP) pass first; everything else from a VM is judged, untracked and invalid packets
  // included: a "ct direction original" match would not match those at all and let them through unjudged.
  Append(a, kChainInput, "ct state related accept");
  Append(a, kChainInput, "ct direction reply accept");
  Append(a, kChainInput, "ip saddr vmap @host_vm");
  // Before routing (and after DNAT): a denied destination the host has no route to stays silent too, where
  // the forward hook would come after the routing error's ICMP answer.
  Append(a, kChainPreroute, "ct direction reply accept");
  Append(a, kChainPreroute, "ip saddr @vms fib daddr type != local ip saddr vmap @out_vm");
  Append(a, std::string(kBridgePrefix) + "prerouting", "iifname vmap @port_vm");
  Append(a, std::string(kBridgePrefix) + "forward", "iifname vmap @l2_vm");
  // Frames leaving by a VM's port, bridged from a peer (forward) or sent and routed by the host (output):
  // the VM's ingress packet rate, for the VMs that have one.
  Append(a, std::string(kBridgePrefix) + "forward", "oifname vmap @in_vm");
  Append(a, std::string(kBridgePrefix) + "output", "oifname vmap @in_vm");
  return a;
}

std::string PolicyTableChains() {
  return "bridge:forward: type filter hook forward priority filter; policy accept;\n"
         "bridge:output: type filter hook output priority filter; policy accept;\n"
         "bridge:prerouting: type filter hook prerouting priority filter; policy accept;\n"
         "forward: type filter hook forward priority filter; policy accept;\n"
         "input: type filter hook input priority filter; policy accept;\n"
         "output: type nat hook output priority -100; policy accept;\n"
         "postrouting: type nat hook postrouting priority srcnat; policy accept;\n"
         "preroute: type filter hook prerouting priority filter; policy accept;\n"
         "prerouting: type nat hook prerouting priority dstnat; policy accept;";
}

model::EffectivePolicy EffectivePolicyOf(const model::Vm& vm, const model::Bridge& bridge) {
  return model::ResolvePolicy(vm.network.policy ? &*vm.network.policy : nullptr,
                              bridge.policy ? &*bridge.policy : nullptr, bridge.address, vm.network.dns,
                              vm.network.mode == model::NetworkMode::kFull);
}

void AddVmPolicy(const model::Vm& vm, const Assignment& assignment, const model::Bridge& bridge, Attrs& group) {
  const std::string& name = vm.doc.metadata.name;
  const model::EffectivePolicy p = EffectivePolicyOf(vm, bridge);
  const std::string addr = assignment.address.address.ToString();
  const std::string port = "\"" + model::VmHostVethName(name) + "\"";
  const std::string mac = assignment.mac.ToString();
  const bool peers = p.peers == model::PeerMode::kAllow;

  const std::string host = "host-" + name, out = "out-" + name, spoof = "port-" + name, l2 = "l2-" + name;
  const model::Bandwidth* bw = vm.network.bandwidth ? &*vm.network.bandwidth : nullptr;
  const std::string in = "in-" + name;
  if (bw && bw->ingress_pps) Append(group, kElements, "bridge in_vm " + port + " : jump " + in);
  Append(group, kElements, "bridge l2_vm " + port + " : jump " + l2);
  Append(group, kElements, "bridge port_vm " + port + " : jump " + spoof);
  Append(group, kElements, "bridge ports " + port);
  if (peers) Append(group, kElements, "bridge ports_ok " + port);
  // Full VMs are listed too: the diff compares the attributes it wants, so a mode change must show in one
  // of them for the group (and the inbound rules in its forward chain) to be rewritten.
  if (p.inbound_any) Append(group, kElements, "inet full_vms " + addr);
  Append(group, kElements, "inet host_vm " + addr + " : jump " + host);
  Append(group, kElements, "inet out_vm " + addr + " : jump " + out);
  if (peers) Append(group, kElements, "inet peers_ok " + addr);
  Append(group, kElements, "inet vms " + addr);

  // Host: the implicit entries to the gateway, then the VM's entries to any host address; nothing else.
  const std::string h = kInetPrefix + host, gw = "ip daddr " + p.gateway.ToString() + " ";
  Append(group, h, gw + "icmp type echo-request accept");
  if (p.gateway_dns) {
    Append(group, h, gw + "udp dport 53 accept");
    Append(group, h, gw + "tcp dport 53 accept");
  }
  for (const auto& r : p.host) Append(group, h, HostMatch(r) + "accept");
  Append(group, h, "counter drop");

  // Routed (and, with bridge netfilter, bridged) IPv4 from the VM to anything but the host: peers first, its own subnet is not egress.
  const std::string o = kInetPrefix + out;
  if (peers) Append(group, o, "ip daddr @vms ip daddr != @peers_ok counter drop");
  Append(group, o, peers ? "ip daddr @vms accept" : "ip daddr @vms counter drop");
  Append(group, o, DaddrMatch(p.subnet) + "accept");
  for (const auto& r : p.egress_allow)
    for (const auto& cidr : r.Cidrs()) Append(group, o, DaddrMatch(cidr) + ProtoMatch(r.protocol, r.port) + "accept");
  for (const auto& r : p.egress_deny)
    for (const auto& cidr : r.Cidrs())
      Append(group, o, DaddrMatch(cidr) + ProtoMatch(r.protocol, r.port) + "counter drop");
  Append(group, o, p.egress_default_allow ? "accept" : "counter drop");

  // The VM's bridge port: its MAC, its IPv4 source and ARP sender, only ARP and IPv4.
  const std::string s = kBridgePrefix + spoof;
  Append(group, s, "ether saddr != " + mac + " counter drop");
  Append(group, s, "ether type != { ip, arp } counter drop");
  Append(group, s, "ip saddr != " + addr + " counter drop");
  Append(group, s, "arp saddr ether != " + mac + " counter drop");
  Append(group, s, "arp saddr ip != " + addr + " counter drop");
  // Packet rates (spec.network.bandwidth.pps) at the VM's port: one token bucket per direction that counts
  // every frame, ARP included. What it sends is limited here, after the checks above; what it receives in its
  // own chain, which the bridge's forward (from peers) and output (from the host) hooks jump to.
  if (bw && bw->egress_pps) Append(group, s, PacketRateDrop(*bw->egress_pps, model::PpsBurst(*bw, *bw->egress_pps)));
  if (bw && bw->ingress_pps)
    Append(group, kBridgePrefix + in, PacketRateDrop(*bw->ingress_pps, model::PpsBurst(*bw, *bw->ingress_pps)));

  // Port to port on the bridge: only when both VMs allow peers.
  const std::string l = kBridgePrefix + l2;
  Append(group, l, peers ? "oifname @ports oifname != @ports_ok counter drop" : "oifname @ports counter drop");
}

std::optional<PacketRate> PacketRateOf(const Attrs& group, const std::string& vm, bool egress) {
  auto chain = group.find(kBridgePrefix + std::string(egress ? "port-" : "in-") + vm);
  if (chain == group.end()) return std::nullopt;
  // Read with the rule codec: a line it refuses (someone's edit) holds no rate berth reports.
  std::istringstream lines(chain->second);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("limit ")) continue;  // the spoofing checks: no need to decode them
    auto rule = ParseNftRule(line);
    if (!rule) continue;
    for (const NftTerm& t : rule->terms)
      if (t.kind == NftTerm::Kind::kLimit)
        return PacketRate{std::stoull(t.value), t.field.empty() ? 5 : std::stoull(t.field)};
  }
  return std::nullopt;
}

DropCounter ClassifyDrop(const std::string& chain, const std::string& rule) {
  if (!rule.ends_with("drop") || rule.find("counter") == std::string::npos) return {};
  auto after = [&](std::string_view prefix) { return chain.substr(prefix.size()); };
  if (chain.starts_with("bridge:port-"))
    return {after("bridge:port-"), rule.starts_with("limit ") ? "rate" : "spoof"};
  if (chain.starts_with("bridge:in-")) return {after("bridge:in-"), "rate"};
  if (chain.starts_with("bridge:l2-")) return {after("bridge:l2-"), "peers"};
  if (chain.starts_with("inet:host-")) return {after("inet:host-"), "host"};
  if (chain.starts_with("inet:out-"))
    return {after("inet:out-"), rule.find("@vms") != std::string::npos ? "peers" : "egress"};
  return {};
}

}  // namespace berth::reconciler::linux_res
