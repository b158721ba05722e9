// Link rules of the simulated kernel: names unique per netns and at most 15 characters, masters that exist and
// are bridges, veth peers created straight into an existing netns, the loopback that exists with its netns,
// and ownership marks written in two steps (group at creation, alias after) as the real driver must.
#include <cerrno>
#include <cstdio>

#include "drivers/sim/sim_state.h"
#include "model/naming.h"
#include "drivers/linux/platform/link_spec.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::sim {
namespace {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file

/// Stable locally administered MAC for a device (FNV-1a of netns and name), so runs are repeatable.
std::string DerivedMac(const std::string& netns, const std::string& name) {
  uint64_t h = 1469598103934665603ull;
  for (char c : netns + "/" + name) h = (h ^ uint8_t(c)) * 1099511628211ull;
  char text[18];
  std::snprintf(text, sizeof text, "02:%02x:%02x:%02x:%02x:%02x", unsigned(h & 0xff), unsigned((h >> 8) & 0xff),
                unsigned((h >> 16) & 0xff), unsigned((h >> 24) & 0xff), unsigned((h >> 32) & 0xff));
  return text;
}

bool ValidName(const std::string& name) { return !name.empty() && name.size() <= model::kMaxInterfaceName; }

/// The kernel's range for an Ethernet-like device's MTU; the codec only checks that it is a number.
std::optional<int> KernelMtu(std::optional<uint32_t> mtu) {
  if (!mtu || *mtu < 68 || *mtu > 65535) return std::nullopt;
  return int(*mtu);
}

std::string Tag(const SimState& s, const Resource& r) {
  return reconciler::FormatOwnerTag({OriginOf(r), s.created});
}

/// Enslaves `link` to `master` in `netns`; an empty master releases it.
std::optional<DriverError> SetMaster(SimState& s, const Action& a, const std::string& netns, SimLink& link,
                                     const std::string& master) {
  if (master.empty()) {
    link.master.clear();
    return std::nullopt;
  }
  SimLink* bridge = s.FindLink(netns, master);
  if (!bridge) return SysError(a, ENODEV, "master " + master + " does not exist");
  if (bridge->type != kLinkBridge) return SysError(a, EOPNOTSUPP, "master " + master + " is not a bridge");
  link.master = master;
  return std::nullopt;
}

/// "create" of the loopback: it came with its netns, so creating it means setting its state and marking it.
std::optional<DriverError> CreateLoopback(SimState& s, const Action& a, Marking marking) {
  const ResourceKey& key = a.resource.key;
  SimLink* lo = s.FindLink(key.scope, key.name);
  if (!lo || lo->type != kLinkLoopback) return SysError(a, EOPNOTSUPP, "loopback devices cannot be created");
  if (lo->group == reconciler::kLinkGroup) return SysError(a, EEXIST, "RTM_NEWLINK: " + key.name + " is berth's already");
  lo->up = a.resource.AttrOr(kUp) == kTrue;
  if (marking == Marking::kNone) return std::nullopt;
  lo->group = reconciler::kLinkGroup;
  if (marking == Marking::kTag) lo->alias = Tag(s, a.resource);
  return std::nullopt;
}

}  // namespace

SimNetns* SimState::FindNetns(const std::string& name) {
  auto it = netns.find(name);
  return it == netns.end() ? nullptr : &it->second;
}

SimLink* SimState::FindLink(const std::string& ns, const std::string& name) {
  SimNetns* n = FindNetns(ns);
  if (!n) return nullptr;
  auto it = n->links.find(name);
  return it == n->links.end() ? nullptr : &it->second;
}

std::string OriginOf(const Resource& r) { return r.provenance.origin().empty() ? r.owner : r.provenance.origin(); }

std::optional<DriverError> CreateLink(SimState& s, const Action& a, Marking marking) {
  const Resource& r = a.resource;
  const std::string& ns = r.key.scope;
  const std::string& name = r.key.name;
  SimNetns* netns = s.FindNetns(ns);
  if (!netns) return SysError(a, ENOENT, "netns " + ns + " does not exist");
  if (!ValidName(name)) return SysError(a, EINVAL, "invalid interface name \"" + name + "\"");
  auto spec = LinkFromResource(r);  // the codec the real driver decodes with
  if (!spec) return SysError(a, EINVAL, spec.error().message);
  const std::string& type = spec->type;
  if (type == kLinkLoopback) return CreateLoopback(s, a, marking);
  if (netns->links.count(name)) return SysError(a, EEXIST, "RTM_NEWLINK: " + name + " exists");
  if (type != kLinkBridge && type != kLinkVeth && type != kLinkTap)
    return SysError(a, EOPNOTSUPP, "unknown link type " + type);

  SimLink link;
  link.type = type;
  link.up = spec->up.value_or(false);
  link.mac = r.AttrOr(kMac, DerivedMac(ns, name));
  if (spec->mtu) {
    auto value = KernelMtu(spec->mtu);
    if (!value) return SysError(a, EINVAL, "invalid mtu " + r.AttrOr(kMtu));
    link.mtu = *value;
  }
  if (auto err = SetMaster(s, a, ns, link, spec->master.value_or(""))) return err;
  link.owner_uid = r.AttrOr(kOwnerUid);
  link.owner_gid = r.AttrOr(kOwnerGid);
  if (marking != Marking::kNone) link.group = reconciler::kLinkGroup;

  if (type == kLinkVeth) {
    SimLink peer;
    link.peer = spec->peer;
    link.peer_netns = r.Attr(kPeerNetns) ? spec->peer_netns : ns;
    SimNetns* peer_ns = s.FindNetns(link.peer_netns);
    if (!peer_ns) return SysError(a, ENOENT, "peer netns " + link.peer_netns + " does not exist");
    if (!ValidName(link.peer)) return SysError(a, EINVAL, "invalid peer name \"" + link.peer + "\"");
    if (peer_ns->links.count(link.peer) || (link.peer_netns == ns && link.peer == name))
      return SysError(a, EEXIST, "RTM_NEWLINK: peer " + link.peer + " exists in netns " + link.peer_netns);
    peer.type = kLinkVeth;
    peer.up = spec->peer_up.value_or(false);
    peer.mtu = link.mtu;
    peer.mac = r.AttrOr(kPeerMac, DerivedMac(link.peer_netns, link.peer));
    peer.group = link.group;
    peer.peer = name;
    peer.peer_netns = ns;
    peer.primary = false;
    peer_ns->links[link.peer] = std::move(peer);
  }
  SimLink& made = s.FindNetns(ns)->links[name] = std::move(link);
  // The kernel ignores an alias in the create message: the tag is a second request, after the mark.
  if (marking == Marking::kTag) made.alias = Tag(s, r);
  return std::nullopt;
}

std::optional<DriverError> UpdateLink(SimState& s, const Action& a, bool retag) {
  const Resource& r = a.resource;
  const std::string& ns = r.key.scope;
  SimLink* link = s.FindLink(ns, r.key.name);
  if (!link || !link->primary) return SysError(a, ENODEV, "RTM_SETLINK: no device " + r.key.name);
  auto spec = LinkFromResource(r);
  if (!spec) return SysError(a, EINVAL, spec.error().message);
  std::vector<std::string> fields = a.fields;
  if (fields.empty())
    for (const auto& [field, value] : r.attrs) fields.push_back(field);
  SimLink* peer = link->type == kLinkVeth ? s.FindLink(link->peer_netns, link->peer) : nullptr;
  for (const std::string& field : fields) {
    const std::string value = r.AttrOr(field);
    if (field == kUp) {
      link->up = spec->up.value_or(false);
    } else if (field == kMtu) {
      auto mtu = KernelMtu(spec->mtu);
      if (!mtu) return SysError(a, EINVAL, "invalid mtu " + value);
      link->mtu = *mtu;
      if (peer) peer->mtu = *mtu;
    } else if (field == kMaster) {
      if (auto err = SetMaster(s, a, ns, *link, value)) return err;
    } else if (field == kMac) {
      link->mac = value;
    } else if ((field == kPeerUp || field == kPeerMac) && peer) {
      if (field == kPeerUp) peer->up = spec->peer_up.value_or(false);
      else peer->mac = value;
    } else if (field == "owner") {
      retag = true;
    } else if (field == kType && value == link->type) {
      continue;  // unchanged identity, listed because all fields were given
    } else if (field == kPeer || field == kPeerNetns || field == kOwnerUid || field == kOwnerGid || field == kType) {
      if (field == kPeer && value == link->peer) continue;
      if (field == kPeerNetns && value == link->peer_netns) continue;
      if (field == kOwnerUid && value == link->owner_uid) continue;
      if (field == kOwnerGid && value == link->owner_gid) continue;
      return SysError(a, EOPNOTSUPP, field + " of " + r.key.name + " cannot change in place");
    } else {
      return SysError(a, EINVAL, "unknown link attribute " + field);
    }
  }
  if (retag) {
    link->group = reconciler::kLinkGroup;
    link->alias = Tag(s, r);
  }
  return std::nullopt;
}

void EraseLink(SimState& s, const std::string& ns, const std::string& name) {
  SimNetns* netns = s.FindNetns(ns);
  if (!netns) return;
  auto it = netns->links.find(name);
  if (it == netns->links.end()) return;
  SimLink link = std::move(it->second);
  netns->links.erase(it);
  // tc goes with either of its devices: the qdisc with its device, the redirect with its target.
  std::erase_if(netns->tc, [&](const auto& kv) { return kv.first == name || kv.second == name; });
  netns->qdiscs.erase(name);
  if (link.type == kLinkBridge)
    for (auto& [port_name, port] : netns->links)
      if (port.master == name) port.master.clear();
  if (link.type == kLinkVeth) EraseLink(s, link.peer_netns, link.peer);  // a veth pair dies together
}

std::optional<DriverError> DeleteLink(SimState& s, const Action& a) {
  const ResourceKey& key = a.resource.key;
  SimLink* link = s.FindLink(key.scope, key.name);
  if (!link) return SysError(a, ENODEV, "RTM_DELLINK: no device " + key.name);
  if (link->type == kLinkLoopback) {
    // lo cannot go; "deleting" it hands it back: down, unmarked.
    SimLink pristine;
    pristine.type = kLinkLoopback;
    pristine.mtu = 65536;
    pristine.mac = "00:00:00:00:00:00";
    *link = std::move(pristine);
    return std::nullopt;
  }
  EraseLink(s, key.scope, key.name);
  return std::nullopt;
}

}  // namespace berth::drivers::sim
