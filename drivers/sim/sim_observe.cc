// Observation of the simulated host in the Linux vocabulary, with ownership read from the marks the way the
// real driver reads them: link group and alias tag, the "berth-" prefix of netns and /etc/netns directories,
// membership of table berth for nft rules.
#include <algorithm>

#include "drivers/sim/sim_state.h"
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_names.h"
#include "model/net.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::sim {
namespace {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file
using reconciler::ObservedState;
using reconciler::Ownership;

bool IsBerthNetns(const std::string& name) { return name.starts_with(reconciler::linux_res::kNetnsPrefix); }

/// A path with a directory named "berth-...": berth's.
bool IsBerthPath(const std::string& path) {
  return path.find("/" + std::string(reconciler::linux_res::kNetnsPrefix)) != std::string::npos;
}

struct Mark {
  Ownership ownership = Ownership::kUnowned;
  std::string owner;
};

Mark MarkOf(const SimLink& link) {
  if (link.group != reconciler::kLinkGroup) return {};
  if (auto tag = reconciler::ParseOwnerTag(link.alias)) return {Ownership::kOwned, tag->origin};
  return {Ownership::kMarked, ""};
}

Resource Make(ResourceKey key, Attrs attrs, const Mark& mark) {
  Resource r;
  r.key = std::move(key);
  r.attrs = std::move(attrs);
  r.ownership = mark.ownership;
  r.owner = mark.owner;
  return r;
}

Attrs LinkAttrs(const SimState& s, const SimLink& link) {
  Attrs attrs{{kType, link.type}, {kUp, link.up ? kTrue : kFalse}, {kMtu, std::to_string(link.mtu)}, {kMac, link.mac}};
  if (!link.master.empty()) attrs[kMaster] = link.master;
  if (!link.owner_uid.empty()) attrs[kOwnerUid] = link.owner_uid;
  if (!link.owner_gid.empty()) attrs[kOwnerGid] = link.owner_gid;
  if (link.type == "veth") {
    attrs[kPeer] = link.peer;
    attrs[kPeerNetns] = link.peer_netns;
    auto ns = s.netns.find(link.peer_netns);
    if (ns != s.netns.end())
      if (auto it = ns->second.links.find(link.peer); it != ns->second.links.end()) {
        attrs[kPeerMac] = it->second.mac;
        attrs[kPeerUp] = it->second.up ? kTrue : kFalse;
      }
  }
  return attrs;
}

/// The mark that governs a link's resources: for the far end of a veth, the end that carries the resource.
Mark GoverningMark(const SimState& s, const SimLink& link) {
  if (link.primary) return MarkOf(link);
  auto ns = s.netns.find(link.peer_netns);
  if (ns == s.netns.end()) return {};
  auto it = ns->second.links.find(link.peer);
  return it == ns->second.links.end() ? Mark{} : MarkOf(it->second);
}

void ObserveNetns(const SimState& s, const std::string& name, const SimNetns& netns, ObservedState& out) {
  if (!name.empty())
    out.resources.push_back(Make({kNetns, "", name}, {},
                                 {IsBerthNetns(name) ? Ownership::kOwned : Ownership::kUnowned, ""}));
  for (const auto& [link_name, link] : netns.links) {
    Mark mark = GoverningMark(s, link);
    // The lo of berth's netns came with it and is as much berth's as the netns is, marked or not (as the
    // Linux driver reads it: drivers/linux/observe.cc SetLinkOwnership).
    if (link.type == "loopback" && IsBerthNetns(name)) mark = {Ownership::kOwned, mark.owner};
    if (link.primary) out.resources.push_back(Make({kLink, name, link_name}, LinkAttrs(s, link), mark));
    for (const std::string& address : link.addresses)
      out.resources.push_back(Make({kAddr, name, link_name + "/" + address}, {{kDev, link_name}, {kAddress, address}}, mark));
    if (name.empty() && mark.ownership == Ownership::kUnowned) {
      for (const std::string& address : link.addresses)
        if (auto cidr = model::Cidr4::Parse(address))
          out.facts.foreign_networks.push_back({cidr->Network(), "address " + address + " on " + link_name});
    }
    if (name.empty()) out.facts.interfaces.push_back(link_name);
    if (name.empty())
      for (const std::string& address : link.addresses)
        out.facts.addresses.push_back(address.substr(0, address.find('/')));
  }
  for (const auto& [dev, to] : netns.tc) {
    auto it = netns.links.find(dev);
    Mark mark = it == netns.links.end() ? Mark{} : GoverningMark(s, it->second);
    out.resources.push_back(Make({kTc, name, dev}, {{kRedirectTo, to}}, mark));
  }
  for (const auto& [dev, attrs] : netns.qdiscs) {
    auto it = netns.links.find(dev);
    Mark mark = it == netns.links.end() ? Mark{} : GoverningMark(s, it->second);
    out.resources.push_back(Make({kQdisc, name, dev}, attrs, mark));
  }
}

}  // namespace

ObservedState ObserveState(const SimState& s) {
  ObservedState out;
  for (const auto& [name, netns] : s.netns) ObserveNetns(s, name, netns, out);
  for (const auto& [table, groups] : s.nft_tables) {
    const bool berths = table == reconciler::kNftTable;
    Attrs table_attrs;
    if (auto chains = s.nft_chains.find(table); chains != s.nft_chains.end() && !chains->second.empty())
      table_attrs[kChains] = chains->second;
    out.resources.push_back(Make({kNftTable, "", table}, std::move(table_attrs),
                                 {berths ? Ownership::kOwned : Ownership::kUnowned, ""}));
    if (!berths) continue;  // other tables' rules are not resources; only berth's table is read in detail
    for (const auto& [group, g] : groups) out.resources.push_back(Make({kNft, "", group}, g.chains, {Ownership::kOwned, g.owner}));
  }
  for (const auto& [name, value] : s.sysctls) {
    // As the Linux driver reads them: a bridge's route_localnet only when on, and berth's on berth's bridge.
    Mark mark;
    if (const std::string bridge = RouteLocalnetBridge(name); !bridge.empty()) {
      auto host = s.netns.find("");
      auto link = host == s.netns.end() ? decltype(host->second.links.cend()){} : host->second.links.find(bridge);
      if (host == s.netns.end() || link == host->second.links.end() || value == "0") continue;
      if (MarkOf(link->second).ownership != Ownership::kUnowned) mark = {Ownership::kOwned, ""};
    }
    out.resources.push_back(Make({kSysctl, "", name}, {{kValue, value}}, mark));
  }
  for (const auto& [path, content] : s.files)
    out.resources.push_back(Make({kFile, "", path}, {{kContent, content}},
                                 {IsBerthPath(path) ? Ownership::kOwned : Ownership::kUnowned, ""}));
  for (const auto& [name, attrs] : s.vms) out.resources.push_back(Make({kVmProc, "", name}, attrs, {Ownership::kOwned, "VM/" + name}));
  out.Sort();
  return out;
}

}  // namespace berth::drivers::sim
