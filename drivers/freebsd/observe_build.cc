// BuildObserved: host interfaces, epairs (both ends and their bridge memberships folded into one record keyed
// by the host end), addresses, jails and what is inside berth's jails, pf anchors, ipfw rules, IP forwarding.
#include <algorithm>
#include <set>

#include "drivers/freebsd/observe_build.h"
#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_rules.h"
#include "drivers/freebsd/platform/freebsd_tag.h"

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
    // What a jail prints is its root's to fake: a b end seen inside jail J counts only for a host end that is
    // on the host and tagged for J, so no jail can claim another jail's epair (descriptions are settable by
    // the jail's root inside its vnet).
    for (const auto& [jail, inside] : v.inside)
      for (const auto& i : inside.interfaces)
        if (auto t = TagOf(i); t && t->Get("end") == "b" && HostEndOwnedBy(t->Get("pair"), jail))
          b_ends_[t->Get("pair")] = {&i, jail};
    for (const auto& i : v.interfaces) {
      auto t = TagOf(i);
      if (!t || t->Get("end") != "a") continue;
      if (!b_ends_.count(i.name))
        if (const IfInfo* b = UntaggedPartner(i)) b_ends_[i.name] = {b, ""};
      if (auto b = b_ends_.find(i.name); b != b_ends_.end() && b->second.jail.empty()) folded_.insert(b->second.info);
      // A jail's epair, once renamed, belongs to its jail's record; a clone cut short keeps its kernel name and
      // is collected on its own.
      const std::string jail = JailOfOwner(t->owner);
      if (!t->Get("if").empty() && !jail.empty() && !IsKernelEpairName(i.name)) jail_epairs_[jail].push_back(&i);
    }
    // A live jail of that name that is not berth's cannot hold berth's epairs in its record: they stay
    // interfaces of their own (collected), and the jail is a conflict if the manifests want its name.
    std::erase_if(jail_epairs_, [&](const auto& entry) {
      auto live = live_.find(entry.first);
      return live != live_.end() && !IsBerthJail(*live->second);
    });
  }

  reconciler::ObservedState Build() {
    for (const auto& i : v_.interfaces) Interface(i);
    for (const auto& i : v_.interfaces) Addresses(i);
    for (const auto& j : v_.jails)
      if (!j.dying) Jail(j);
    for (const auto& j : v_.jails)
      if (j.dying && !live_.count(j.name)) Dying(j);
    for (const auto& [jail, epairs] : jail_epairs_)
      if (!seen_jails_.count(jail)) Absent(jail, "gone");
    Pf();
    Ipfw();
    Pipes();
    if (!v_.forwarding.empty())
      out_.resources.push_back(Record(kSysctl, "", kForwardingSysctl, {{kValue, v_.forwarding}}, ""));
    for (const auto& i : v_.interfaces) {
      out_.facts.interfaces.push_back(i.name);
      for (const auto& cidr : i.inet) out_.facts.addresses.push_back(cidr.address.ToString());  // listen checks
    }
    std::sort(out_.facts.addresses.begin(), out_.facts.addresses.end());
    out_.facts.addresses.erase(std::unique(out_.facts.addresses.begin(), out_.facts.addresses.end()),
                               out_.facts.addresses.end());
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
      if (auto t = TagOf(i); t && t->Get("end") == "b" && HostEndOwnedBy(t->Get("pair"), jail))
        names.push_back(PeerOf(t->Get("pair")));
    return Join(names, " ", true);
  }

  /// Whether host interface `name` is on the host with berth's tag for jail `jail`, as an epair's a end.
  bool HostEndOwnedBy(const std::string& name, const std::string& jail) const {
    for (const auto& i : v_.interfaces)
      if (i.name == name)
        if (auto t = TagOf(i); t && t->Get("end") == "a" && t->owner == "Jail/" + jail) return true;
    return false;
  }

  /// The b end of an epair whose creation stopped before it was renamed and tagged: still "epair<N>b", next to
  /// "epair<N>a", with the same MAC but for the last byte (if_epair.c). The current "ether" is compared, not
  /// "hwaddr": ifconfig prints hwaddr only once the address was changed (af_link.c), and nobody changed these.
  const IfInfo* UntaggedPartner(const IfInfo& a) const {
    const std::string& name = a.name;
    if (!name.starts_with("epair") || name.back() != 'a' || a.ether.size() != 17) return nullptr;
    const std::string b_name = name.substr(0, name.size() - 1) + "b";
    for (const auto& i : v_.interfaces)
      if (i.name == b_name && !TagOf(i) && i.ether.substr(0, 15) == a.ether.substr(0, 15)) return &i;
    return nullptr;
  }

  static bool IsKernelEpairName(const std::string& name) {
    return name.starts_with("epair") && name.size() > 6 && name.back() == 'a' &&
           name.find_first_not_of("0123456789", 5) == name.size() - 1;
  }

  bool Absorbed(const IfInfo& i) const {
    for (const auto& [jail, epairs] : jail_epairs_)
      if (std::find(epairs.begin(), epairs.end(), &i) != epairs.end()) return true;
    return false;
  }

  void Interface(const IfInfo& i) {
    if (folded_.count(&i)) return;  // an epair's b end on the host: part of its a end's record
    if (Absorbed(i)) {              // a jail's epair: part of its jail's record
      owners_[i.name] = TagOf(i)->owner;
      return;
    }
    auto tag = TagOf(i);
    if (!tag) {
      out_.resources.push_back(Record(kIface, "", i.name, LinkAttrs(i), ""));
      return;
    }
    const std::string end = tag->Get("end");
    Attrs attrs = LinkAttrs(i);
    if (end == "a") {
      attrs[kPeer] = "";
      attrs[kBridge] = BridgeOf(i.name);
      if (auto b = b_ends_.find(i.name); b != b_ends_.end()) {
        attrs[kPeer] = b->second.jail.empty() ? b->second.info->name : PeerOf(i.name);
        if (b->second.jail.empty()) attrs[kPeerBridge] = BridgeOf(b->second.info->name);
      }
    } else if (end == "b") {
      attrs[kPeer] = "";  // an orphaned b end: its host end is gone or renamed; destroying it takes both
    }
    owners_[i.name] = tag->owner;
    out_.resources.push_back(Record(kIface, "", i.name, std::move(attrs), tag->owner));
  }

  /// The bridge an interface is a member of, "" for none.
  std::string BridgeOf(const std::string& port) const {
    for (const auto& i : v_.interfaces)
      if (std::find(i.members.begin(), i.members.end(), port) != i.members.end()) return i.name;
    return "";
  }

  void Addresses(const IfInfo& i) {
    auto owner = owners_.find(i.name);
    if (folded_.count(&i)) return;
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

  /// A jail's epairs as its record holds them: peer is the handover name while the b end is inside the live jail.
  void AddEpairs(const std::string& jail, Attrs& attrs) {
    auto it = jail_epairs_.find(jail);
    if (it == jail_epairs_.end()) return;
    for (const IfInfo* a : it->second) {
      JailEpair e{TagOf(*a)->Get("if"), a->name, BridgeOf(a->name), std::to_string(a->mtu), ""};
      if (auto b = b_ends_.find(a->name); b != b_ends_.end())
        e.peer = b->second.jail.empty() ? b->second.info->name : b->second.jail == jail ? PeerOf(a->name) : "";
      attrs.emplace(std::string(kEpairPrefix) + e.ifname, e.Format());
    }
  }

  /// A DYING jail: a record of berth's while it still holds berth's epairs (they must be destroyed), otherwise
  /// only a fact for plan warnings.
  void Dying(const JailInfo& j) {
    if (jail_epairs_.count(j.name) && IsBerthJail(j)) {
      Absent(j.name, "dying");
      return;
    }
    out_.resources.push_back(Record(kDying, "", std::to_string(j.jid), {{kName, j.name}}, ""));
  }

  /// The record of a jail that is not live but whose epairs remain: to be made again after they are destroyed.
  void Absent(const std::string& jail, const std::string& state) {
    if (seen_jails_.count(jail)) return;
    seen_jails_.insert(jail);
    Attrs attrs{{kState, state}, {kVnet, "new"}};
    AddEpairs(jail, attrs);
    out_.resources.push_back(Record(kJail, "", jail, std::move(attrs), "Jail/" + jail));
  }

  void Jail(const JailInfo& j) {
    auto tag = ParseFreeBsdTag(j.meta);
    const std::string owner = tag ? tag->owner : "";
    seen_jails_.insert(j.name);
    Attrs attrs{{kPath, j.path}, {kVnet, j.vnet}, {kHostname, j.hostname}, {kState, "active"}};
    if (!owner.empty()) AddEpairs(j.name, attrs);
    if (!j.ip4.empty()) attrs[kIp4] = j.ip4;
    if (!j.ip4_addrs.empty()) attrs[kIp4Addr] = Join(j.ip4_addrs, ",", false);
    auto inside = v_.inside.find(j.name);
    if (!owner.empty() && j.vnet == "new" && inside != v_.inside.end() && inside->second.seen) {
      attrs[kVnetInterface] = Handover(j.name);
      Inside(j.name, inside->second, owner);
    } else if (!owner.empty() && inside != v_.inside.end()) {
      File(j.name, inside->second, owner);
    }
    out_.resources.push_back(Record(kJail, "", j.name, std::move(attrs), owner));
  }

  void Inside(const std::string& jail, const JailInside& inside, const std::string& owner) {
    std::set<std::string> keys;  // a jail's root can tag two interfaces alike: the first one listed counts
    for (const auto& i : inside.interfaces) {
      auto tag = TagOf(i);
      std::string key = i.name;
      Attrs attrs{{kDevice, i.name}, {kUp, i.up ? kTrue : kFalse}};
      // A b-end tag counts only for a host end of this jail's; otherwise the interface is what its name says.
      if (tag && tag->Get("end") == "b" && HostEndOwnedBy(tag->Get("pair"), jail)) {
        if (tag->Get("if").empty()) continue;
        key = tag->Get("if");
        attrs[kEpair] = tag->Get("pair");
      } else if (i.name != "lo0") {
        continue;  // created inside the jail by someone else: not berth's
      }
      if (!keys.insert(key).second) continue;
      if (!i.inet.empty()) attrs[kAddress] = i.inet.front().ToString();
      if (!i.ether.empty()) attrs[kMac] = i.ether;
      out_.resources.push_back(Record(kJif, jail, key, std::move(attrs), owner));
    }
    if (inside.route)
      out_.resources.push_back(Record(kRoute, jail, "default",
                                      {{kGateway, inside.route->gateway}, {kInterface, inside.route->interface}}, owner));
    // Every gateway route in a berth jail is berth's to keep or collect, like its default route: the jail is.
    for (const NetRoute& r : inside.routes)
      out_.resources.push_back(Record(kRoute, jail, r.destination, {{kGateway, r.gateway}, {kInterface, r.interface}}, owner));
    File(jail, inside, owner);
  }

  /// The jail's resolv.conf as read from the host; a path leading out of the jail's tree is recorded as unsafe.
  void File(const std::string& jail, const JailInside& inside, const std::string& owner) {
    if (!inside.resolv_unsafe.empty()) {
      out_.resources.push_back(Record(kFile, jail, kResolvConf,
                                      {{kContent, ""}, {kRoot, inside.root}, {kUnsafe, inside.resolv_unsafe}}, owner));
      return;
    }
    if (inside.resolv_conf)
      out_.resources.push_back(
          Record(kFile, jail, kResolvConf, {{kContent, *inside.resolv_conf}, {kRoot, inside.root}}, owner));
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

  /// berth's rules are the rules of its set, whatever their number (an admin's rule numbered in berth's range is
  /// not berth's: it is recorded unowned, so a desired number it holds is a conflict, never a deletion).
  void Ipfw() {
    std::map<int, std::pair<std::vector<std::string>, std::string>> ours, theirs;
    for (const auto& rule : v_.ipfw) {
      const bool mine = rule.set == kIpfwSet;
      if (!mine && (rule.number < kIpfwFirstRule || rule.number >= kIpfwFirstRule + kIpfwRuleCount)) continue;
      auto& [rules, owner] = (mine ? ours : theirs)[rule.number];
      rules.push_back(rule.body);
      if (auto tag = ParseFreeBsdTag(rule.comment); mine && tag && owner.empty()) owner = tag->owner;
    }
    for (const auto& [number, group] : ours) {
      Attrs attrs{{kRules, Join(group.first, "\n", false)}};
      if (auto jail = JailOfOwner(group.second); !jail.empty()) attrs[kJailAttr] = jail;
      // The set is berth's: a rule there without berth's comment is still berth's to collect.
      auto r = Record(kIpfw, "", std::to_string(number), std::move(attrs), group.second);
      r.ownership = Ownership::kOwned;
      out_.resources.push_back(std::move(r));
    }
    for (const auto& [number, group] : theirs)
      if (!ours.count(number))
        out_.resources.push_back(Record(kIpfw, "", std::to_string(number), {{kRules, Join(group.first, "\n", false)}}, ""));
  }

  /// Pipes have no set: berth's are those of its two ranges (freebsd_bandwidth.h) that no rule of another set
  /// sends to (an admin's pipe there that their rules use is theirs: recorded unowned, so a desired pipe of that
  /// number is a conflict). The owner is that of berth's rule that feeds it.
  void Pipes() {
    std::map<int, std::string> fed_by_berth;
    std::set<int> fed_by_others;
    for (const auto& rule : v_.ipfw)
      for (int pipe : PipesOfRules(rule.body)) {
        if (rule.set != kIpfwSet) fed_by_others.insert(pipe);
        else if (auto tag = ParseFreeBsdTag(rule.comment)) fed_by_berth[pipe] = tag->owner;
        else fed_by_berth.emplace(pipe, "");
      }
    for (const auto& p : v_.pipes) {
      const bool in_range = p.number >= kEgressPipeFirst && p.number < kIngressPipeFirst + kShapeCount;
      if (!in_range) continue;
      Attrs attrs{{kBw, std::to_string(p.bw_bits)}, {kBurst, std::to_string(p.burst)}};
      auto owner = fed_by_berth.find(p.number);
      const std::string who = owner == fed_by_berth.end() ? "" : owner->second;
      if (auto jail = JailOfOwner(who); !jail.empty()) attrs[kJailAttr] = jail;
      auto r = Record(kPipe, "", std::to_string(p.number), std::move(attrs), who);
      r.ownership = fed_by_others.count(p.number) ? Ownership::kUnowned : Ownership::kOwned;
      out_.resources.push_back(std::move(r));
    }
  }

  const HostView& v_;
  reconciler::ObservedState out_;
  std::map<std::string, const JailInfo*> live_;
  std::map<std::string, BEnd> b_ends_;        // by pair (the host end's name when tagged)
  std::set<const IfInfo*> folded_;             // b ends on the host that belong to an a end's record
  std::map<std::string, std::vector<const IfInfo*>> jail_epairs_;  // jail name -> host ends of its epairs
  std::set<std::string> seen_jails_;           // jails with a record already
  std::map<std::string, std::string> owners_;  // host interface name -> owner, for berth's interfaces
};

}  // namespace

bool IsBerthJail(const JailInfo& jail) { return ParseFreeBsdTag(jail.meta).has_value(); }

reconciler::ObservedState BuildObserved(const HostView& view) { return Builder(view).Build(); }

}  // namespace berth::drivers::freebsd
