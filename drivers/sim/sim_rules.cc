// Rules of the simulated kernel for everything but links: netns (deleting one takes what is inside and the
// far ends of veths reaching into it), addresses and tc on existing links, nft groups inside their table,
// sysctls that exist, files.
#include <cerrno>
#include <cstring>

#include "drivers/sim/sim_state.h"
#include "model/net.h"
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::sim {
namespace {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file
using reconciler::Op;

std::optional<DriverError> CreateNetns(SimState& s, const Action& a) {
  const std::string& name = a.resource.key.name;
  if (name.empty() || name.find('/') != std::string::npos) return SysError(a, EINVAL, "invalid netns name");
  if (s.netns.count(name)) return SysError(a, EEXIST, "netns " + name + " exists");
  SimLink lo;
  lo.type = "loopback";
  lo.mtu = 65536;
  lo.mac = "00:00:00:00:00:00";
  s.netns[name].links["lo"] = std::move(lo);
  return std::nullopt;
}

std::optional<DriverError> DeleteNetns(SimState& s, const Action& a) {
  const std::string& name = a.resource.key.name;
  SimNetns* netns = s.FindNetns(name);
  if (!netns || name.empty()) return SysError(a, ENOENT, "netns " + name + " does not exist");
  // The far end of every veth reaching in dies with its peer, wherever it is.
  std::vector<std::pair<std::string, std::string>> far_ends;
  for (const auto& [link_name, link] : netns->links)
    if (link.type == "veth" && link.peer_netns != name) far_ends.emplace_back(link.peer_netns, link.peer);
  s.netns.erase(name);
  for (const auto& [ns, link] : far_ends) EraseLink(s, ns, link);
  return std::nullopt;
}

}  // namespace

DriverError::Kind KindOfErrno(int sys_errno) {
  using Kind = DriverError::Kind;
  switch (sys_errno) {
    case ENOENT:
    case ENODEV:
    case EADDRNOTAVAIL: return Kind::kNotFound;
    case EEXIST: return Kind::kExists;
    case EINVAL:
    case ERANGE: return Kind::kInvalid;
    case EPERM:
    case EACCES: return Kind::kPermission;
    case EBUSY:
    case EAGAIN: return Kind::kBusy;
    case EOPNOTSUPP: return Kind::kNotSupported;
    default: return Kind::kOther;
  }
}

DriverError SysError(const Action& a, int sys_errno, const std::string& what) {
  return DriverError{KindOfErrno(sys_errno), reconciler::ToString(a.op), a.resource.key, sys_errno,
                     what + ": " + std::strerror(sys_errno)};
}

std::optional<DriverError> ApplyNetns(SimState& s, const Action& a) {
  switch (a.op) {
    case Op::kCreate: return CreateNetns(s, a);
    case Op::kUpdate:
      if (!s.FindNetns(a.resource.key.name)) return SysError(a, ENOENT, "netns does not exist");
      return std::nullopt;  // a netns has no attributes
    case Op::kDelete: return DeleteNetns(s, a);
  }
  return std::nullopt;
}

std::optional<DriverError> ApplyAddr(SimState& s, const Action& a) {
  const Resource& r = a.resource;
  const std::string dev = r.AttrOr(kDev);
  const std::string address = r.AttrOr(kAddress);
  SimLink* link = s.FindLink(r.key.scope, dev);
  if (!link) return SysError(a, ENODEV, "RTM_NEWADDR: no device " + dev + " in netns " + r.key.scope);
  switch (a.op) {
    case Op::kCreate:
      if (!model::Cidr4::Parse(address)) return SysError(a, EINVAL, "invalid address " + address);
      if (!link->addresses.insert(address).second) return SysError(a, EEXIST, "RTM_NEWADDR: " + address + " exists");
      return std::nullopt;
    case Op::kUpdate:
      if (!link->addresses.count(address)) return SysError(a, EADDRNOTAVAIL, "no address " + address);
      return std::nullopt;  // dev and address are its identity: nothing changes in place
    case Op::kDelete:
      if (!link->addresses.erase(address)) return SysError(a, EADDRNOTAVAIL, "RTM_DELADDR: no address " + address);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<DriverError> ApplyTc(SimState& s, const Action& a) {
  const ResourceKey& key = a.resource.key;
  SimNetns* netns = s.FindNetns(key.scope);
  if (!netns) return SysError(a, ENOENT, "netns " + key.scope + " does not exist");
  const std::string to = a.resource.AttrOr(kRedirectTo);
  auto existing = netns->tc.find(key.name);
  if (a.op == Op::kDelete) {
    if (existing == netns->tc.end()) return SysError(a, ENOENT, "no ingress qdisc on " + key.name);
    netns->tc.erase(existing);
    return std::nullopt;
  }
  if (!netns->links.count(key.name)) return SysError(a, ENODEV, "no device " + key.name);
  if (!netns->links.count(to)) return SysError(a, ENODEV, "mirred: no device " + to);
  if (a.op == Op::kCreate && existing != netns->tc.end()) return SysError(a, EEXIST, "ingress qdisc exists on " + key.name);
  if (a.op == Op::kUpdate && existing == netns->tc.end()) return SysError(a, ENOENT, "no ingress qdisc on " + key.name);
  netns->tc[key.name] = to;
  return std::nullopt;
}

std::optional<DriverError> ApplyNft(SimState& s, const Action& a) {
  const ResourceKey& key = a.resource.key;
  if (key.kind == kNftTable) {
    bool exists = s.nft_tables.count(key.name) > 0;
    if (a.op == Op::kCreate && exists) return SysError(a, EEXIST, "table inet " + key.name + " exists");
    if (a.op != Op::kCreate && !exists) return SysError(a, ENOENT, "no table inet " + key.name);
    if (a.op == Op::kCreate) s.nft_tables[key.name];
    if (a.op != Op::kDelete) s.nft_chains[key.name] = a.resource.AttrOr(kChains);
    if (a.op == Op::kDelete) {
      s.nft_tables.erase(key.name);  // with every rule in it
      s.nft_chains.erase(key.name);
    }
    return std::nullopt;
  }
  auto table = s.nft_tables.find(std::string(reconciler::kNftTable));
  if (table == s.nft_tables.end()) return SysError(a, ENOENT, "no table inet berth");
  auto& groups = table->second;
  auto group = groups.find(key.name);
  if (a.op == Op::kDelete) {
    if (group == groups.end()) return SysError(a, ENOENT, "no rules of " + key.name);
    groups.erase(group);
    return std::nullopt;
  }
  if (a.op == Op::kCreate && group != groups.end()) return SysError(a, EEXIST, "rules of " + key.name + " exist");
  if (a.op == Op::kUpdate && group == groups.end()) return SysError(a, ENOENT, "no rules of " + key.name);
  SimNftGroup& g = groups[key.name];
  g.chains.clear();
  // Every rule attribute (base chains, the policy's own chains and set elements); egress is plan-time only.
  for (const auto& [field, rules] : a.resource.attrs)
    if (field != kEgress && field != kListen && !rules.empty()) g.chains[field] = rules;
  g.owner = OriginOf(a.resource);
  return std::nullopt;
}

std::optional<DriverError> ApplySetting(SimState& s, const Action& a) {
  const ResourceKey& key = a.resource.key;
  if (key.kind == kSysctl) {
    auto it = s.sysctls.find(key.name);
    // A bridge's route_localnet exists while the bridge does (off until set), as under /proc/sys.
    if (const std::string bridge = RouteLocalnetBridge(key.name); it == s.sysctls.end() && !bridge.empty() &&
                                                                   s.FindLink("", bridge))
      it = s.sysctls.emplace(key.name, "0").first;
    if (it == s.sysctls.end()) return SysError(a, ENOENT, "no sysctl " + key.name);
    if (a.op == Op::kDelete && RouteLocalnetBridge(key.name).empty())
      return SysError(a, EOPNOTSUPP, "a sysctl cannot be deleted");
    it->second = a.op == Op::kDelete ? "0" : a.resource.AttrOr(kValue);  // route_localnet: turned off
    return std::nullopt;
  }
  auto it = s.files.find(key.name);
  switch (a.op) {
    case Op::kCreate:
      if (it != s.files.end()) return SysError(a, EEXIST, key.name + " exists");
      s.files[key.name] = a.resource.AttrOr(kContent);
      return std::nullopt;
    case Op::kUpdate:
      if (it == s.files.end()) return SysError(a, ENOENT, key.name + " does not exist");
      it->second = a.resource.AttrOr(kContent);
      return std::nullopt;
    case Op::kDelete:
      if (it == s.files.end()) return SysError(a, ENOENT, key.name + " does not exist");
      s.files.erase(it);
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace berth::drivers::sim
