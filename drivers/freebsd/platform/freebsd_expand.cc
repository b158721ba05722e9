// FreeBSD expansion. Per Bridge: the bridge and its gateway address. Per NAT: its pf sub-anchor and IP
// forwarding. Per VNET jail: the jail (created with its epairs' b ends, vnet.interface=), lo0, and per interface
// an epair with its host end on the bridge — or, for secure VNET, on a per-jail bridge joined to the host
// bridge by an uplink epair, with ipfw layer-2 rules — the interface's address and MAC inside the jail, the
// default route and resolv.conf. Per non-VNET jail: the jail and its aliases on host interfaces.
#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_expand.h"

#include <algorithm>
#include <optional>
#include <set>

#include "drivers/freebsd/platform/freebsd_forwards.h"
#include "drivers/freebsd/platform/freebsd_names.h"
#include "model/parse_dns.h"
#include "reconciler/desired_builder.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_rules.h"

namespace berth::reconciler::freebsd_res {
namespace {

using model::NetworkMode;

using Builder = DesiredBuilder;

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

/// FreeBSD's default MTU for bridges and epairs; berth always sets it explicitly, so a bridge that had another
/// MTU before (its first member sets it, facts A1) never keeps it silently.
constexpr int kDefaultMtu = 1500;

Attrs WithMtu(Attrs attrs, const model::Bridge& bridge) {
  // Members must match the bridge's MTU, and on 15.x a member's MTU cannot change once it is one (facts A1):
  // the epair gets the bridge's MTU at creation, before addm.
  attrs[kMtu] = std::to_string(bridge.mtu.value_or(kDefaultMtu));
  return attrs;
}

/// Which jail, and in which mode, owns an address: forwards are installed only towards `full` jails.
std::map<uint32_t, std::pair<const model::Jail*, NetworkMode>> JailAddresses(const model::Manifest& m,
                                                                              const Allocations& allocations) {
  std::map<uint32_t, std::pair<const model::Jail*, NetworkMode>> out;
  for (const auto& jail : m.jails) {
    for (const auto& itf : jail.network.interfaces)
      if (auto it = allocations.by_interface.find(jail.doc.Id() + "/" + itf.name); it != allocations.by_interface.end())
        out[it->second.address.address.value] = {&jail, jail.network.mode};
    for (const auto& e : jail.network.ip4) out[e.address.address.value] = {&jail, jail.network.mode};
  }
  return out;
}

/// The jail's resolv.conf, written from the host under its path, when the manifest gives any DNS setting.
void AddResolvConf(const model::Jail& jail, Builder& b) {
  const model::JailNetwork& net = jail.network;
  if (net.dns.empty() && net.dns_search.empty() && net.dns_options.empty()) return;
  b.Add(kFile, jail.doc.metadata.name, kResolvConf,
        {{kContent, model::RenderResolvConf(net.dns, net.dns_search, net.dns_options)}, {kRoot, jail.path}}, jail.doc);
}

void ExpandNat(const model::Nat& nat, const model::Manifest& manifest, const Allocations& allocations, Builder& b) {
  Attrs attrs{{kNat, ""}, {kRdr, ""}};
  if (nat.egress) {
    const std::string& egress = *nat.egress;
    attrs[kEgress] = egress;
    model::Cidr4 source;
    if (auto* cidr = std::get_if<model::Cidr4>(&nat.source)) source = *cidr;
    else if (const model::Bridge* bridge = manifest.FindBridge(std::get<std::string>(nat.source))) source = bridge->address;
    const auto owners = JailAddresses(manifest, allocations);
    std::vector<std::string> nat_rules{PfNatRule(egress, source)}, rdr, skipped, listen;
    ForwardPlace place{egress, std::nullopt, source.Network()};
    if (auto* bridge = std::get_if<std::string>(&nat.source)) place.bridge = *bridge;
    for (const auto& f : nat.forwards) {
      auto it = owners.find(f.to_address.value);
      if (it != owners.end() && it->second.second != NetworkMode::kFull) {
        skipped.push_back(std::string(model::ToString(f.protocol)) + "/" + std::to_string(f.port) + " -> " +
                          it->second.first->doc.Id() + " (mode " + model::ToString(it->second.second) + ")");
        continue;
      }
      AddForwardRules(place, f, nat_rules, rdr);
      if (f.listen && std::find(listen.begin(), listen.end(), f.listen->ToString()) == listen.end())
        listen.push_back(f.listen->ToString());
    }
    attrs[kNat] = Join(nat_rules, "\n");
    attrs[kRdr] = Join(rdr, "\n");
    if (!skipped.empty()) attrs[kSkipped] = Join(skipped, "\n");
    if (!listen.empty()) attrs[kListen] = Join(listen, "\n");
  }
  b.Add(kPf, "", std::string(kPfAnchor) + "/" + nat.doc.metadata.name, std::move(attrs), nat.doc);
  b.Add(kSysctl, "", kForwardingSysctl, {{kValue, "1"}}, nat.doc);
}

void ExpandVnetJail(const model::Jail& jail, const model::Manifest& manifest, const Allocations& allocations,
                    const std::map<std::string, int>& ipfw_numbers, const std::map<std::string, int>& shape_slots,
                    Builder& b) {
  const std::string& name = jail.doc.metadata.name;
  const model::JailNetwork& net = jail.network;
  const bool up = net.mode != NetworkMode::kDisabled;
  Attrs lo{{kDevice, "lo0"}, {kUp, up ? kTrue : kFalse}};
  if (up) lo[kAddress] = "127.0.0.1/8";
  b.Add(kJif, name, "lo0", std::move(lo), jail.doc);

  Attrs attrs{{kPath, jail.path}, {kVnet, "new"}, {kHostname, name}, {kState, "active"}};
  std::vector<std::string> handover, host_ends;
  std::string route_via;
  // Without defaultRouter the jail routes through its first interface's bridge gateway, as a Linux VM does.
  std::optional<model::Ipv4> router = net.default_router;
  std::vector<std::pair<model::Cidr4, std::string>> links;  // subnet -> the interface on it
  for (const auto& itf : net.interfaces) {
    if (!model::UsesBridge(net.mode)) break;
    const model::Bridge* bridge = manifest.FindBridge(itf.bridge);
    auto alloc = allocations.by_interface.find(jail.doc.Id() + "/" + itf.name);
    if (bridge == nullptr || alloc == allocations.by_interface.end()) continue;  // validation reports these
    const Assignment& a = alloc->second;
    const std::string host_end = JailEpairName(name, itf.name, 'a');
    const std::string jail_end = JailEpairName(name, itf.name, 'b');
    const std::string mtu = WithMtu({}, *bridge)[kMtu];
    handover.push_back(jail_end);
    host_ends.push_back(host_end);
    std::string port_bridge = bridge->doc.metadata.name;
    if (itf.secure) {
      const std::string own_bridge = JailSecureBridgeName(name, itf.name);
      const std::string uplink_a = JailUplinkName(name, itf.name, 'a');
      const std::string uplink_b = JailUplinkName(name, itf.name, 'b');
      b.Add(kIface, "", own_bridge, WithMtu({{kType, "bridge"}, {kUp, kTrue}}, *bridge), jail.doc);
      std::string rules;
      for (const auto& rule : SecureVnetRules(a.address.address, a.mac, uplink_b, host_end))
        rules += (rules.empty() ? "" : "\n") + NormalizeIpfwRule(rule);
      Attrs uplink = WithMtu({{kType, "epair"}, {kUp, kTrue}, {kBridge, port_bridge}, {kPeer, uplink_b},
                              {kPeerBridge, own_bridge}},
                             *bridge);
      if (auto number = ipfw_numbers.find(jail.doc.Id() + "/" + itf.name); number != ipfw_numbers.end()) {
        b.Add(kIpfw, "", std::to_string(number->second), {{kRules, rules}, {kJailAttr, name}}, jail.doc);
        uplink[kIpfwOrder] = std::to_string(number->second);  // the whitelist is in place before it connects
      }
      b.Add(kIface, "", uplink_a, std::move(uplink), jail.doc);
      port_bridge = own_bridge;
    }
    attrs[std::string(kEpairPrefix) + itf.name] = JailEpair{itf.name, host_end, port_bridge, mtu, jail_end}.Format();
    b.Add(kJif, name, itf.name,
          {{kDevice, itf.name}, {kEpair, host_end}, {kAddress, a.address.ToString()}, {kMac, a.mac.ToString()},
           {kUp, kTrue}},
          jail.doc);
    links.emplace_back(a.address.Network(), itf.name);
    if (!router) router = bridge->address.address;
    if (a.address.Contains(*router) && route_via.empty()) route_via = itf.name;
  }
  std::sort(handover.begin(), handover.end());
  attrs[kVnetInterface] = Join(handover, " ");  // also when empty: a jail that loses all its epairs updates to none
  b.Add(kJail, "", name, std::move(attrs), jail.doc);
  if (router && !route_via.empty())
    b.Add(kRoute, name, "default", {{kGateway, router->ToString()}, {kInterface, route_via}}, jail.doc);
  // Extra routes, named by their destination, through the interface whose subnet holds the next hop.
  for (const model::Route& route : net.routes)
    for (const auto& [subnet, itf] : links)
      if (subnet.Contains(route.via)) {
        b.Add(kRoute, name, route.to.ToString(), {{kGateway, route.via.ToString()}, {kInterface, itf}}, jail.doc);
        break;
      }
  AddResolvConf(jail, b);
  if (auto slot = shape_slots.find(jail.doc.Id()); slot != shape_slots.end())
    ExpandJailBandwidth(jail, slot->second, host_ends, b);
}

void ExpandNonVnetJail(const model::Jail& jail, Builder& b) {
  const std::string& name = jail.doc.metadata.name;
  Attrs attrs{{kPath, jail.path}, {kVnet, "inherit"}, {kHostname, name}, {kState, "active"}};
  std::vector<std::string> addresses;
  // A disabled or loopback jail keeps its ip4 entries for a switch back, but holds no address meanwhile.
  for (const auto& e : jail.network.ip4) {
    if (!model::UsesBridge(jail.network.mode)) break;
    addresses.push_back(e.address.address.ToString());
    // jail(8) would add and remove the alias itself only for "if|addr" with the jail in jail.conf (facts A4);
    // berth creates jails without jail.conf, so it manages the alias as its own resource, after the jail.
    b.Add(kAddr, "", e.interface + "/" + e.address.ToString(),
          {{kDev, e.interface}, {kAddress, e.address.ToString()}, {kJailAttr, name}}, jail.doc);
  }
  if (addresses.empty()) attrs[kIp4] = "disable";
  else attrs[kIp4Addr] = Join(addresses, ",");
  b.Add(kJail, "", name, std::move(attrs), jail.doc);
  AddResolvConf(jail, b);
}

}  // namespace

std::string JailResolvConf(const std::vector<std::string>& nameservers) {
  return model::RenderResolvConf(nameservers, {}, {});
}

std::map<std::string, int> IpfwNumbers(const model::Manifest& manifest) {
  std::vector<std::string> ids;
  for (const auto& jail : manifest.jails)
    if (jail.network.vnet)
      for (const auto& itf : jail.network.interfaces)
        if (itf.secure) ids.push_back(jail.doc.Id() + "/" + itf.name);
  // More secure interfaces than numbers: the rest get none (CheckHost says so).
  std::map<std::string, int> out = HashSlots(std::move(ids), kIpfwRuleCount);
  for (auto& [id, number] : out) number += kIpfwFirstRule;
  return out;
}

DesiredState ExpandFreeBsd(const model::Manifest& manifest, const Allocations& allocations) {
  Builder b;
  for (const auto& bridge : manifest.bridges) {
    const std::string& name = bridge.doc.metadata.name;
    b.Add(kIface, "", name, WithMtu({{kType, "bridge"}, {kUp, kTrue}}, bridge), bridge.doc);
    const std::string address = bridge.address.ToString();
    b.Add(kAddr, "", name + "/" + address, {{kDev, name}, {kAddress, address}}, bridge.doc);
  }
  for (const auto& nat : manifest.nats) ExpandNat(nat, manifest, allocations, b);
  const std::map<std::string, int> ipfw_numbers = IpfwNumbers(manifest);
  const std::map<std::string, int> shape_slots = ShapeSlots(manifest);
  for (const auto& jail : manifest.jails) {
    if (jail.network.vnet) ExpandVnetJail(jail, manifest, allocations, ipfw_numbers, shape_slots, b);
    else ExpandNonVnetJail(jail, b);
  }
  return b.Finish();
}

}  // namespace berth::reconciler::freebsd_res
