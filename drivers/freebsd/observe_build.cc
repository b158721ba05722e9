// BuildObserved: host interfaces, epairs (both ends folded into one record keyed by the host end), bridge
// memberships, addresses, jails and what is inside berth's jails, pf anchors, ipfw rules, IP forwarding.
#include <algorithm>
#include <set>

#include "drivers/freebsd/observe_build.h"
#include "reconciler/freebsd_resources.h"
#include "reconciler/freebsd_rules.h"
#include "reconciler/freebsd_tag.h"

namespace berth::drivers::freebsd {
namespace {

using namespace reconciler::freebsd_res;  // NOLINT
using reconciler::Attrs;
using reconciler::Ownership;
using reconciler::Resource;

Resource Record(const char* kind, std::string scope, std::string name, Attrs attrs, const std::string& owner) {
  Resource r;
  r.key = {kind, std::move(scope), std::move(name)};
  r.attrs = std::move(attrs);
  r.ownership = owner.empty() ? Ownership::kUnowned : Ownership::kOwned;
  r.owner = owner;
  return r;
}

std::optional<FreeBsdTag> TagOf(const IfInfo& i) { return ParseFreeBsdTag(i.description); }

std::string JailOfOwner(const std::string& owner) { return owner.starts_with("Jail/") ? owner.substr(5) : ""; }

std::string TypeOf(const IfInfo& i) {
  if (i.Is("bridge")) return "bridge";
  if (i.Is("epair")) return "epair";  // the cloner group stays after a rename (facts A1)
  return "other";
}

Attrs LinkAttrs(const IfInfo& i) {
  return {{kType, TypeOf(i)}, {kUp, i.up ? kTrue : kFalse}, {kMtu, std::to_string(i.mtu)}};
}

std::string Join(std::vector<std::string> items, const char* sep, bool sort) {
  if (sort) std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

/// A b end somewhere: on the host, or in one of berth's jails.
struct BEnd {
  const IfInfo* info = nullptr;
  std::string jail;  // empty: on the host
};

class Builder {
 public:
  explicit Builder(const HostView& v) : v_(v) {
    for (const auto& j : v.jails)
      if (!j.dying) live_[j.name] = &j;
    for (const auto& i : v.interfaces)
      if (auto t = TagOf(i); t && t->Get("end") == "b") b_ends_[t->Get("pair")] = {&i, ""};
    for (const auto& [jail, inside] : v.inside)
      for (const auto& i : inside.interfaces)
        if (auto t = TagOf(i); t && t->Get("end") == "b") b_ends_[t->Get("pair")] = {&i, jail};
  }

  reconciler::ObservedState Build() {
    for (const auto& i : v_.interfaces) Interface(i);
    for (const auto& i : v_.interfaces) Members(i);
    for (const auto& i : v_.interfaces) Addresses(i);
    for (const auto& j : v_.jails) Jail(j);
    Pf();
    Ipfw();
    if (!v_.forwarding.empty())
      out_.resources.push_back(Record(kSysctl, "", kForwardingSysctl, {{kValue, v_.forwarding}}, ""));
    for (const auto& i : v_.interfaces) out_.facts.interfaces.push_back(i.name);
    out_.Sort();
    return std::move(out_);
  }

 private:
  /// The handover names of the b ends inside a jail, sorted: what its vnet.interface was.
  std::string Handover(const std::string& jail) const {
    std::vector<std::string> names;
    auto it = v_.inside.find(jail);
    if (it == v_.inside.end()) return "";
    for (const auto& i : it->second.interfaces)
      if (auto t = TagOf(i); t && t->Get("end") == "b" && !t->Get("pair").empty()) names.push_back(PeerOf(t->Get("pair")));
    return Join(names, " ", true);
  }

  void Interface(const IfInfo& i) {
    auto tag = TagOf(i);
    if (!tag) {
      out_.resources.push_back(Record(kIface, "", i.name, LinkAttrs(i), ""));
      return;
    }
    const std::string end = tag->Get("end");
    if (end == "b" && b_ends_.count(tag->Get("pair")) && HostEnd(tag->Get("pair"))) return;  // folded into its a end
    Attrs attrs = LinkAttrs(i);
    if (end == "a") {
      attrs[kPeer] = "";
      if (auto b = b_ends_.find(i.name); b != b_ends_.end()) {
        attrs[kPeer] = b->second.jail.empty() ? b->second.info->name : PeerOf(i.name);
        if (auto live = live_.find(b->second.jail); live != live_.end()) {
          attrs[kJailPath] = live->second->path;
          attrs[kJailVnetInterface] = Handover(b->second.jail);
        }
      }
      if (auto ifname = tag->Get("if"); !ifname.empty()) {
        attrs[kIfname] = ifname;
        attrs[kJailAttr] = JailOfOwner(tag->owner);
      }
    } else if (end == "b") {
      attrs[kPeer] = "";  // an orphaned b end: its host end is gone or renamed; destroying it takes both
    }
    owners_[i.name] = tag->owner;
    out_.resources.push_back(Record(kIface, "", i.name, std::move(attrs), tag->owner));
  }

  bool HostEnd(const std::string& name) const {
    for (const auto& i : v_.interfaces)
      if (i.name == name)
        if (auto t = TagOf(i); t && t->Get("end") == "a") return true;
    return false;
  }

  void Members(const IfInfo& bridge) {
    for (const auto& port : bridge.members) {
      std::string owner, epair;
      if (auto it = owners_.find(port); it != owners_.end()) owner = it->second;
      for (const auto& [pair, b] : b_ends_)
        if (b.jail.empty() && b.info->name == port && owners_.count(pair)) owner = owners_[pair], epair = pair;
      if (owner.empty()) continue;  // another tool's port: berth never touches it
      Attrs attrs{{kBridge, bridge.name}};
      if (!epair.empty()) attrs[kEpair] = epair;
      out_.resources.push_back(Record(kMember, "", port, std::move(attrs), owner));
    }
  }

  void Addresses(const IfInfo& i) {
    auto owner = owners_.find(i.name);
    bool folded_b = false;
    for (const auto& [pair, b] : b_ends_) folded_b = folded_b || (b.jail.empty() && b.info == &i);
    if (folded_b) return;
    for (const auto& cidr : i.inet) {
      const std::string name = i.name + "/" + cidr.ToString();
      Attrs attrs{{kDev, i.name}, {kAddress, cidr.ToString()}};
      if (owner != owners_.end()) {
        out_.resources.push_back(Record(kAddr, "", name, std::move(attrs), owner->second));
        continue;
      }
      if (const JailInfo* jail = AliasOwner(cidr.address)) {
        attrs[kJailAttr] = jail->name;
        out_.resources.push_back(Record(kAddr, "", name, std::move(attrs), ParseFreeBsdTag(jail->meta)->owner));
        continue;
      }
      out_.resources.push_back(Record(kAddr, "", name, std::move(attrs), ""));
      out_.facts.foreign_networks.push_back({cidr.Network(), "address " + cidr.ToString() + " on " + i.name});
    }
  }

  /// A non-VNET jail of berth's that holds this address: the alias on the host interface is berth's.
  const JailInfo* AliasOwner(const model::Ipv4& ip) const {
    for (const auto& j : v_.jails)
      if (IsBerthJail(j) && j.vnet != "new")
        for (const auto& a : j.ip4_addrs)
          if (a == ip.ToString()) return &j;
    return nullptr;
  }

  void Jail(const JailInfo& j) {
    if (j.dying) {
      out_.resources.push_back(Record(kDying, "", std::to_string(j.jid), {{kName, j.name}}, ""));
      return;
    }
    auto tag = ParseFreeBsdTag(j.meta);
    const std::string owner = tag ? tag->owner : "";
    Attrs attrs{{kPath, j.path}, {kVnet, j.vnet}, {kHostname, j.hostname}};
    if (!j.ip4.empty()) attrs[kIp4] = j.ip4;
    if (!j.ip4_addrs.empty()) attrs[kIp4Addr] = Join(j.ip4_addrs, ",", false);
    auto inside = v_.inside.find(j.name);
    if (!owner.empty() && j.vnet == "new" && inside != v_.inside.end() && inside->second.seen) {
      if (auto h = Handover(j.name); !h.empty()) attrs[kVnetInterface] = h;
      Inside(j.name, inside->second, owner);
    } else if (!owner.empty() && inside != v_.inside.end() && inside->second.resolv_conf) {
      out_.resources.push_back(Record(kFile, j.name, kResolvConf, {{kContent, *inside->second.resolv_conf}}, owner));
    }
    out_.resources.push_back(Record(kJail, "", j.name, std::move(attrs), owner));
  }

  void Inside(const std::string& jail, const JailInside& inside, const std::string& owner) {
    for (const auto& i : inside.interfaces) {
      auto tag = TagOf(i);
      std::string key = i.name;
      Attrs attrs{{kDevice, i.name}, {kUp, i.up ? kTrue : kFalse}};
      if (tag && tag->Get("end") == "b") {
        if (tag->Get("if").empty()) continue;
        key = tag->Get("if");
        attrs[kEpair] = tag->Get("pair");
      } else if (i.name != "lo0") {
        continue;  // created inside the jail by someone else: not berth's
      }
      if (!i.inet.empty()) attrs[kAddress] = i.inet.front().ToString();
      if (!i.ether.empty()) attrs[kMac] = i.ether;
      out_.resources.push_back(Record(kJif, jail, key, std::move(attrs), owner));
    }
    if (inside.route)
      out_.resources.push_back(Record(kRoute, jail, "default",
                                      {{kGateway, inside.route->gateway}, {kInterface, inside.route->interface}}, owner));
    if (inside.resolv_conf)
      out_.resources.push_back(Record(kFile, jail, kResolvConf, {{kContent, *inside.resolv_conf}}, owner));
  }

  void Pf() {
    for (const auto& [anchor, rules] : v_.pf_anchors) {
      if (rules.empty()) continue;  // an emptied anchor is as good as gone
      std::vector<std::string> nat, rdr;
      for (const auto& rule : rules) (rule.starts_with("rdr") ? rdr : nat).push_back(rule);
      const std::string origin = "NAT/" + anchor.substr(anchor.find('/') + 1);
      out_.resources.push_back(Record(kPf, "", anchor, {{kNat, Join(nat, "\n", false)}, {kRdr, Join(rdr, "\n", false)}},
                                      origin));
    }
  }

  void Ipfw() {
    std::map<int, std::pair<std::vector<std::string>, std::string>> groups;
    for (const auto& rule : v_.ipfw) {
      if (rule.number < kIpfwFirstRule || rule.number >= kIpfwFirstRule + kIpfwRuleCount) continue;
      auto& [rules, owner] = groups[rule.number];
      rules.push_back(rule.body);
      if (auto tag = ParseFreeBsdTag(rule.comment); tag && owner.empty()) owner = tag->owner;
    }
    for (const auto& [number, group] : groups) {
      Attrs attrs{{kRules, Join(group.first, "\n", false)}};
      if (auto jail = JailOfOwner(group.second); !jail.empty()) attrs[kJailAttr] = jail;
      // The range is berth's: a rule there without berth's comment is still berth's to collect.
      auto r = Record(kIpfw, "", std::to_string(number), std::move(attrs), group.second);
      r.ownership = Ownership::kOwned;
      out_.resources.push_back(std::move(r));
    }
  }

  const HostView& v_;
  reconciler::ObservedState out_;
  std::map<std::string, const JailInfo*> live_;
  std::map<std::string, BEnd> b_ends_;        // by pair (the host end's name when tagged)
  std::map<std::string, std::string> owners_;  // host interface name -> owner, for berth's interfaces
};

}  // namespace

bool IsBerthJail(const JailInfo& jail) { return ParseFreeBsdTag(jail.meta).has_value(); }

reconciler::ObservedState BuildObserved(const HostView& view) { return Builder(view).Build(); }

}  // namespace berth::drivers::freebsd
