// Linux expansion. Per networked VM: netns, lo, veth (host end on the bridge, peer eth0 in the netns), TAP in
// the netns, tc redirect both ways (tc-redirect-tap), its forward rules and its DNS file. Per bridge: the link
// and its gateway address. Per NAT: masquerade and port forwards, and IP forwarding.
#include "drivers/linux/platform/linux_expand.h"

#include <algorithm>

#include "drivers/linux/platform/linux_names.h"
#include "model/parse_dns.h"
#include "reconciler/desired_builder.h"
#include "drivers/linux/platform/link_spec.h"
#include "drivers/linux/platform/linux_bandwidth.h"
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_vm.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::reconciler::linux_res {
namespace {

using model::NetworkMode;

using Builder = DesiredBuilder;

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

/// The table's base chains as the driver reads them back, so a chain someone deleted or set to drop is drift.
Attrs TableAttrs() { return {{kChains, PolicyTableChains()}}; }

void AppendLine(Attrs& attrs, const char* chain, const std::string& rule) {
  std::string& text = attrs[chain];
  if (!text.empty()) text += "\n";
  text += rule;
}

model::Cidr4 NatSource(const model::Nat& nat, const model::Manifest& manifest) {
  if (auto* cidr = std::get_if<model::Cidr4>(&nat.source)) return cidr->Network();
  const model::Bridge* bridge = manifest.FindBridge(std::get<std::string>(nat.source));
  return bridge ? bridge->address.Network() : model::Cidr4{};
}

/// `table_added`: berth's nftables table is one resource, wanted by the first NAT or VM that has rules (adding
/// it once per VM built and dropped a few hundred bytes per VM).
void ExpandVm(const model::Vm& vm, const model::Manifest& manifest, const Allocations& allocations, Builder& b,
              bool& table_added) {
  const std::string ns = linux_res::VmNetnsName(vm.doc.metadata.name);
  const Provenance from{vm.doc.Id(), vm.doc.span};
  const NetworkMode mode = vm.network.mode;
  b.Add(kNetns, "", ns, {}, from);
  b.Add(kLink, ns, "lo", {{kType, kLinkLoopback}, {kUp, mode == NetworkMode::kDisabled ? kFalse : kTrue}}, from);
  const auto& net = vm.network;
  if (!net.dns.empty() || !net.dns_search.empty() || !net.dns_options.empty())
    b.Add(kFile, "", "/etc/netns/" + ns + "/resolv.conf",
          {{kContent, model::RenderResolvConf(net.dns, net.dns_search, net.dns_options)}}, from);
  if (mode == NetworkMode::kDisabled || mode == NetworkMode::kLoopback) return ExpandVmProcess(vm, nullptr, nullptr, b);

  auto alloc = allocations.by_interface.find(vm.doc.Id());
  const model::Bridge* bridge = manifest.FindBridge(vm.network.bridge);
  if (alloc == allocations.by_interface.end() || bridge == nullptr) return;  // validation reports these
  const Assignment& a = alloc->second;
  ExpandVmProcess(vm, &a, bridge, b);
  const std::string peer(linux_res::kVmPeerName), tap(linux_res::kVmTapName);

  Attrs veth{{kType, kLinkVeth}, {kMaster, bridge->doc.metadata.name}, {kUp, kTrue},        {kPeer, peer},
             {kPeerNetns, ns}, {kPeerMac, a.mac.ToString()},         {kPeerUp, kTrue}};
  Attrs tap_attrs{{kType, kLinkTap}, {kUp, kTrue}};
  if (bridge->mtu) {
    veth[kMtu] = std::to_string(*bridge->mtu);
    tap_attrs[kMtu] = std::to_string(*bridge->mtu);
  }
  if (vm.firecracker) {
    // Firecracker opens the TAP after dropping to the jailer's uid (nobody without a jailer block).
    const auto jailer = vm.firecracker->jailer.value_or(model::FirecrackerJailer{65534, 65534, ""});
    tap_attrs[kOwnerUid] = std::to_string(jailer.uid);
    tap_attrs[kOwnerGid] = std::to_string(jailer.gid);
  }
  b.Add(kLink, "", linux_res::VmHostVethName(vm.doc.metadata.name), std::move(veth), from);
  b.Add(kLink, ns, tap, std::move(tap_attrs), from);
  b.Add(kTc, ns, peer, {{kRedirectTo, tap}}, from);
  b.Add(kTc, ns, tap, {{kRedirectTo, peer}}, from);
  ExpandVmBandwidth(vm, ns, from, b);

  Attrs rules = VmRules(vm, a);
  AddVmPolicy(vm, a, *bridge, rules);
  if (!rules.empty()) {
    if (!table_added) b.Add(kNftTable, "", std::string(reconciler::kNftTable), TableAttrs(), from);
    table_added = true;
    b.Add(kNft, "", "vm/" + vm.doc.metadata.name, std::move(rules), from);
  }
}

}  // namespace

std::string ResolvConf(const std::vector<std::string>& nameservers) { return model::RenderResolvConf(nameservers, {}, {}); }

Attrs NatRules(const model::Nat& nat, const model::Manifest& manifest) {
  Attrs attrs;
  const std::string source = NatSource(nat, manifest).ToString();
  const auto* source_bridge = std::get_if<std::string>(&nat.source);
  std::string masquerade = "ip saddr " + source + " ";
  if (nat.egress)
    masquerade += "oifname " + Quote(*nat.egress) + " ";
  else if (source_bridge)
    masquerade += "oifname != " + Quote(*source_bridge) + " ";
  else
    masquerade += "ip daddr != " + source + " ";
  AppendLine(attrs, kChainPostrouting, masquerade + "masquerade");

  AddForwardRules(nat, NatSource(nat, manifest), attrs);
  return attrs;
}

Attrs VmRules(const model::Vm& vm, const Assignment& assignment) {
  Attrs attrs;
  if (vm.network.mode != NetworkMode::kOutbound) return attrs;  // full: no inbound restriction
  // outbound: replies come back, new connections from outside the bridge are dropped. Traffic between VMs on
  // the bridge carries iifname == the bridge when br_netfilter passes it through here, so it is kept.
  const std::string addr = assignment.address.address.ToString();
  AppendLine(attrs, kChainForward, "ip daddr " + addr + " ct state established,related accept");
  AppendLine(attrs, kChainForward, "ip daddr " + addr + " iifname != " + Quote(vm.network.bridge) + " drop");
  return attrs;
}

DesiredState ExpandLinux(const model::Manifest& manifest, const Allocations& allocations) {
  Builder b;
  constexpr size_t kPerVm = 10;  // netns, lo, DNS file, veth, TAP, two tc, nft table and group, process
  b.Reserve(manifest.bridges.size() * 2 + manifest.nats.size() * 3 + manifest.vms.size() * kPerVm);
  for (const auto& bridge : manifest.bridges) {
    const std::string& name = bridge.doc.metadata.name;
    Attrs attrs{{kType, kLinkBridge}, {kUp, kTrue}};
    if (bridge.mtu) attrs[kMtu] = std::to_string(*bridge.mtu);
    b.Add(kLink, "", name, std::move(attrs), bridge.doc);
    const std::string address = bridge.address.ToString();
    b.Add(kAddr, "", name + "/" + address, {{kDev, name}, {kAddress, address}}, bridge.doc);
  }
  bool table_added = false;
  for (const auto& nat : manifest.nats) {
    if (!table_added) b.Add(kNftTable, "", std::string(reconciler::kNftTable), TableAttrs(), nat.doc);
    table_added = true;
    Attrs rules = NatRules(nat, manifest);
    if (nat.egress) rules[kEgress] = *nat.egress;
    b.Add(kNft, "", "nat/" + nat.doc.metadata.name, std::move(rules), nat.doc);
    b.Add(kSysctl, "", "net.ipv4.ip_forward", {{kValue, "1"}}, nat.doc);
  }
  ExpandForwards(manifest, b);
  for (const auto& vm : manifest.vms) ExpandVm(vm, manifest, allocations, b, table_added);
  // The policy's dispatch rules, once, with the first bridged VM as provenance.
  for (const auto& vm : manifest.vms)
    if (model::UsesBridge(vm.network.mode) && allocations.by_interface.count(vm.doc.Id())) {
      b.Add(kNft, "", kPolicyGroup, PolicyBaseRules(), vm.doc);
      break;
    }
  return b.Finish();
}

}  // namespace berth::reconciler::linux_res
