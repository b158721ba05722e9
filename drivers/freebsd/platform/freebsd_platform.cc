// The FreeBSD platform: dependencies and containment of the FreeBSD resources, field policies and plan-time
// checks against the host (kernel features, pf hooks, the secure-VNET sysctls, names berth derives that
// someone else holds). The expansion itself is in freebsd_expand.cc.
#include <algorithm>
#include <set>
#include <sstream>

#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_platform.h"
#include "drivers/freebsd/platform/freebsd_expand.h"
#include "drivers/freebsd/platform/freebsd_record_check.h"
#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::reconciler {
namespace {

using namespace freebsd_res;  // NOLINT: the vocabulary of this file

ResourceKey Key(const char* kind, const std::string& scope, const std::string& name) {
  return ResourceKey{kind, scope, name};
}

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

bool LiveVnet(const Resource& jail) { return jail.AttrOr(kState) == "active" && jail.AttrOr(kVnet) == "new"; }

const JailEpair* EpairNamed(const std::vector<JailEpair>& epairs, const std::string& ifname) {
  for (const auto& e : epairs)
    if (e.ifname == ifname) return &e;
  return nullptr;
}

class FreeBsdPlatform final : public Platform {
 public:
  std::string name() const override { return "freebsd"; }

  DesiredState Expand(const model::Manifest& manifest, const Allocations& allocations) const override {
    return ExpandFreeBsd(manifest, allocations);
  }

  std::vector<ResourceKey> DependenciesOf(const Resource& r) const override {
    const std::string& kind = r.key.kind;
    std::vector<ResourceKey> deps;
    if (kind == kIface) {
      // An epair joins its bridges at creation; a secure jail's uplink only once its layer-2 whitelist is loaded.
      for (const char* attr : {kBridge, kPeerBridge})
        if (auto* bridge = r.Attr(attr); bridge && !bridge->empty()) deps.push_back(Key(kIface, "", *bridge));
      if (auto* rules = r.Attr(kIpfwOrder)) deps.push_back(Key(kIpfw, "", *rules));
    } else if (kind == kIpfw) {
      // Rules that send to pipes come after the pipes and go before them (freebsd_bandwidth.h).
      for (int pipe : PipesOfRules(r.AttrOr(kRules))) deps.push_back(Key(kPipe, "", std::to_string(pipe)));
    } else if (kind == kAddr) {
      // A jail's alias is added after its jail and removed before it (facts A4 has jail(8) add it before the
      // jail: berth reverses that so no crash can leave an alias without the jail that makes it berth's).
      if (auto* jail = r.Attr(kJailAttr)) deps.push_back(Key(kJail, "", *jail));
      else if (auto* dev = r.Attr(kDev)) deps.push_back(Key(kIface, "", *dev));
    } else if (kind == kJail) {
      // The jail makes its epairs and puts their host ends on these bridges before jail -c (a bridge made again
      // thus makes its jails again, with fresh epairs).
      for (const auto& e : JailEpairsOf(r.attrs))
        if (!e.bridge.empty()) deps.push_back(Key(kIface, "", e.bridge));
    } else if (kind == kJif) {
      deps.push_back(Key(kJail, "", r.key.scope));
    } else if (kind == kRoute) {
      deps.push_back(Key(kJail, "", r.key.scope));
      if (auto* via = r.Attr(kInterface)) deps.push_back(Key(kJif, r.key.scope, *via));
    } else if (kind == kFile) {
      deps.push_back(Key(kJail, "", r.key.scope));
    }
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    return deps;
  }

  std::optional<ResourceKey> ContainerOf(const Resource& r) const override {
    const std::string& kind = r.key.kind;
    if (kind == kAddr && !r.Attr(kJailAttr)) {
      if (auto* dev = r.Attr(kDev)) return Key(kIface, "", *dev);
    }
    if (kind == kJif || kind == kRoute || kind == kFile) return Key(kJail, "", r.key.scope);
    return std::nullopt;
  }

  FieldPolicy PolicyOf(const std::string& kind, const std::string& field) const override {
    static const std::set<std::pair<std::string, std::string>> kReplace = {
        {kIface, kType},     {kIface, kPeer},       {kIface, kBridge},           {kIface, kPeerBridge},
        // 15.x refuses MTU changes on bridge members (facts A1): an epair's MTU is set before addm, once.
        {kIface, kMtu},      {kAddr, kDev},         {kAddr, kAddress},           {kAddr, kJailAttr},
        {kJail, kPath},      {kJail, kVnet},        {kJail, kVnetInterface},     {kJail, kIp4},
        {kJail, kState},     {kJif, kEpair},
        // A new gateway is a delete and an add, never "route change": an address change of the interface
        // before it takes the old default route with it (ESRCH for change), while a delete of a route already
        // gone is done.
        {kRoute, kGateway},  {kRoute, kInterface},
    };
    // A jail's epairs can only be made with the jail (their b ends are handed over at jail -c).
    if (kind == kJail && field.starts_with(kEpairPrefix)) return FieldPolicy::kReplace;
    if (kind == kPf && (field == kEgress || field == kSkipped || field == kListen)) return FieldPolicy::kIgnore;
    if ((kind == kIpfw || kind == kPipe) && field == kJailAttr) return FieldPolicy::kIgnore;
    if (kind == kIface && field == kIpfwOrder) return FieldPolicy::kIgnore;  // ordering only
    if (kind == kFile && (field == kRoot || field == kUnsafe)) return FieldPolicy::kIgnore;  // checked in CheckHost
    return kReplace.count({kind, field}) ? FieldPolicy::kReplace : FieldPolicy::kUpdate;
  }

  /// A live VNET jail keeps its processes through a change of its epairs that a move can do (explain.cc
  /// ChangeEpairs): an epair added, removed, or moved to another bridge of the same MTU. An epair whose jail end
  /// is not in this jail, a new MTU (the jail end would need it too), or a jail that is not live: made again.
  FieldPolicy PolicyOfChange(const Resource& want, const Resource& have, const std::string& field) const override {
    const bool epair = field.starts_with(kEpairPrefix);
    if (want.key.kind != kJail || !(epair || field == kVnetInterface) || !LiveVnet(want) || !LiveVnet(have))
      return PolicyOf(want.key.kind, field);
    if (!epair) return FieldPolicy::kUpdate;  // the handover list follows the epairs
    const std::string ifname = field.substr(kEpairPrefix.size());
    const std::vector<JailEpair> had = JailEpairsOf(have.attrs), wanted = JailEpairsOf(want.attrs);
    const JailEpair* before = EpairNamed(had, ifname);
    const JailEpair* after = EpairNamed(wanted, ifname);
    if (!before) return FieldPolicy::kUpdate;  // added: made and handed over
    const bool movable = after && before->host_end == after->host_end && before->peer == after->peer &&
                         !before->peer.empty() && before->mtu == after->mtu;
    return movable ? FieldPolicy::kUpdate : FieldPolicy::kReplace;
  }

  std::optional<std::string> RecordError(const Resource& r) const override { return FreeBsdRecordError(r); }

  bool IsWorkload(const ResourceKey& key) const override { return key.kind == kJail; }
  bool IsSetting(const ResourceKey& key) const override { return key.kind == kSysctl || key.kind == kFile; }

  std::string OwnerOf(const Resource& r) const override {
    if (!r.owner.empty()) return r.owner;
    // pf sub-anchors carry no tag: berth/<name> is the NAT of that name.
    const std::string prefix = std::string(kPfAnchor) + "/";
    if (r.key.kind == kPf && r.key.name.starts_with(prefix)) return "NAT/" + r.key.name.substr(prefix.size());
    return "";
  }

  void CheckHost(const DesiredState& desired, const ObservedState& observed, std::vector<Conflict>& conflicts,
                 std::vector<Warning>& warnings) const override;
};

/// Whether berth gives a host interface `address` (a bridge's gateway address).
bool GivesAddress(const DesiredState& desired, const std::string& address) {
  for (const Resource& r : desired.resources)
    if (r.key.kind == kAddr && !r.Attr(kJailAttr) && r.AttrOr(kAddress).starts_with(address + "/")) return true;
  return false;
}

void FreeBsdPlatform::CheckHost(const DesiredState& desired, const ObservedState& observed,
                                std::vector<Conflict>& conflicts, std::vector<Warning>& warnings) const {
  const HostFacts& facts = observed.facts;
  auto missing = [&](const std::string& feature) { return Has(facts.missing_features, feature); };
  auto exists = [&](const std::string& name) {
    return Has(facts.interfaces, name) || desired.Find(Key(kIface, "", name)) != nullptr;
  };
  // Names berth's own interfaces hold: they may be on the host (a b end before handover or after the return).
  std::set<std::string> owned_names;
  for (const auto& r : observed.resources) {
    if (r.ownership == Ownership::kUnowned) continue;
    if (r.key.kind == kIface) owned_names.insert({r.key.name, r.AttrOr(kPeer)});
    if (r.key.kind == kJail)
      for (const auto& e : JailEpairsOf(r.attrs)) owned_names.insert({e.host_end, e.peer});
  }
  auto held_by_others = [&](const std::string& name) {
    return !name.empty() && Has(facts.interfaces, name) && !owned_names.count(name);
  };

  bool wants_vnet = false, wants_jail = false, wants_pf = false, wants_ipfw = false, wants_pipe = false;
  for (const Resource& r : desired.resources) {
    const std::string& kind = r.key.kind;
    if (kind == kJail) {
      wants_jail = true;
      wants_vnet = wants_vnet || r.AttrOr(kVnet) == "new";
      // A DYING jail does not block its name for jail -c (kern_jail.c: a create skips dying prisons of that
      // name unless allow.dying), so there is nothing to warn about here.
      for (const auto& e : JailEpairsOf(r.attrs))
        for (const std::string& name : {e.host_end, e.peer})
          if (held_by_others(name))
            conflicts.push_back({r.key, "interface " + name + ", which berth derives for the jail's " + e.ifname +
                                            ", exists and is not berth's",
                                 r.provenance});
    }
    if (kind == kIpfw && PipesOfRules(r.AttrOr(kRules)).empty()) wants_ipfw = true;  // the secure-VNET whitelist
    if (kind == kPipe) {
      wants_pipe = true;
      uint64_t bits = 0;
      for (char c : r.AttrOr(kBw)) bits = bits * 10 + uint64_t(c - '0');
      if (auto problem = PipeRateProblem(bits))
        conflicts.push_back({r.key, "rate " + r.AttrOr(kBw) + " bit/s of jail " + r.AttrOr(kJailAttr) +
                                        " cannot be a dummynet pipe: " + *problem, r.provenance});
    }
    if (kind == kFile)
      if (const Resource* o = observed.Find(r.key); o && o->Attr(kUnsafe))
        conflicts.push_back({r.key, r.key.name + " of jail " + r.key.scope + " resolves to " + *o->Attr(kUnsafe) +
                                        ", outside " + r.AttrOr(kRoot) + "; berth does not write through links",
                             r.provenance});
    if (kind == kIface && r.AttrOr(kType) == "epair" && held_by_others(r.AttrOr(kPeer)))
      conflicts.push_back({r.key, "interface " + r.AttrOr(kPeer) + " (the other end berth derives for " + r.key.name +
                                      ") exists and is not berth's",
                           r.provenance});
    if (kind == kAddr) {
      auto cidr = model::Cidr4::Parse(r.AttrOr(kAddress));
      const std::string dev = r.AttrOr(kDev);
      if (r.Attr(kJailAttr) && !exists(dev))
        conflicts.push_back({r.key, "interface " + dev + " for the jail's address does not exist on this host",
                             r.provenance});
      if (cidr && !r.Attr(kJailAttr))
        for (const auto& foreign : facts.foreign_networks)
          if (cidr->Overlaps(foreign.network))
            conflicts.push_back({r.key,
                                 "subnet " + cidr->Network().ToString() + " of bridge " + dev + " overlaps " +
                                     foreign.where + ", which berth does not own",
                                 r.provenance});
    }
    if (kind == kPf) {
      wants_pf = true;
      if (auto* egress = r.Attr(kEgress)) {
        if (!exists(*egress))
          conflicts.push_back({r.key, "egress interface " + *egress + " does not exist on this host", r.provenance});
      } else {
        conflicts.push_back({r.key, "pf NAT needs spec.egress on FreeBSD: it translates to that interface's address",
                             r.provenance});
      }
      // A forward's listen address must be the host's: one it has, or a bridge address berth gives it (an rdr
      // to an address the host lacks loads and never matches).
      std::istringstream listen(r.AttrOr(kListen));
      for (std::string address; std::getline(listen, address);)
        if (!Has(facts.addresses, address) && !GivesAddress(desired, address))
          conflicts.push_back({r.key, "listen address " + address + " of a forward is not an address of this host",
                               r.provenance});
      if (auto* skipped = r.Attr(kSkipped)) {
        std::istringstream in(*skipped);
        for (std::string line; std::getline(in, line);)
          warnings.push_back({"forward " + line + " is not installed: only jails in mode full take inbound forwards",
                              r.provenance});
      }
    }
  }
  auto feature_conflict = [&](bool wanted, const char* feature, const std::string& message) {
    if (wanted && missing(feature)) conflicts.push_back({std::nullopt, message, {}});
  };
  feature_conflict(wants_vnet, kMissingVimage,
                   "VNET jails need a kernel with VIMAGE (sysctl kern.features.vimage is not 1 on this host)");
  feature_conflict(wants_jail, kMissingJailMeta,
                   "jls does not know the jail parameter meta, in which berth marks its jails: berth's jails need "
                   "FreeBSD 15.0 or later");
  feature_conflict(wants_pf, kMissingPf, "pf is not loaded (no /dev/pf); load it (kldload pf, pf_enable=YES)");
  feature_conflict(wants_pf && !missing(kMissingPf), kMissingPfEnabled,
                   "pf is loaded but not enabled (pfctl -s info: Status: Disabled), so NAT rules would be loaded "
                   "and never used; enable it (pfctl -e, pf_enable=YES in /etc/rc.conf)");
  feature_conflict(wants_ipfw, kMissingIpfw,
                   "secure VNET needs ipfw, which is not loaded. Loading it applies its default rule, which denies "
                   "everything unless the kernel says otherwise: on a remote host set "
                   "net.inet.ip.fw.default_to_accept=1 in /boot/loader.conf and with kenv (a tunable read when the "
                   "module loads) before kldload ipfw, or load it from the console");
  feature_conflict(wants_ipfw && !missing(kMissingIpfw), kIpfwDefaultDeny,
                   "ipfw's default rule denies and no rule after berth's range allows layer-2 frames: with "
                   "net.link.ether.ipfw=1 every frame of the host goes through ipfw and would be dropped; add "
                   "an allow rule numbered 21000 or more (ipfw add 65000 allow ip from any to any layer2)");
  if (wants_ipfw)
    for (const auto& f : facts.missing_features)
      if (f.starts_with(kIpfwBypassPrefix))
        conflicts.push_back({std::nullopt,
                             "ipfw rule \"" + f.substr(kIpfwBypassPrefix.size()) + "\" comes before berth's range "
                             "and accepts layer-2 frames, which then never reach the secure-VNET whitelist; add "
                             "\"not layer2\" to it or renumber it above 20999",
                             {}});
  if (wants_ipfw)
    for (const char* sysctl : kSecureVnetSysctls)
      feature_conflict(true, MissingSysctl(sysctl).c_str(),
                       std::string("secure VNET needs ") + sysctl + "=1, which is not set on this host; berth does "
                       "not change firewall settings: run sysctl " + sysctl + "=1 (and add it to /etc/sysctl.conf)");
  feature_conflict(wants_pipe, kMissingIpfw,
                   "rate limits on jails are dummynet pipes fed by ipfw rules, and ipfw is not loaded. Loading it "
                   "applies its default rule, which denies everything unless net.inet.ip.fw.default_to_accept=1 is "
                   "set before (loader.conf and kenv): berth does not load it");
  feature_conflict(wants_pipe && !missing(kMissingIpfw), kMissingDummynet,
                   "rate limits on jails need dummynet, which is not loaded (ipfw pipe show fails): kldload dummynet "
                   "(dummynet_enable=YES in /etc/rc.conf)");
  feature_conflict(wants_pipe && !missing(kMissingIpfw), kIpfwOnePass,
                   "net.inet.ip.fw.one_pass is 1: a packet leaving a dummynet pipe would be accepted and skip every "
                   "later rule of the host's firewall (ipfw(8)); berth does not change firewall settings: run sysctl "
                   "net.inet.ip.fw.one_pass=0 (and add it to /etc/sysctl.conf)");
  if (wants_pf && missing(kMissingPfNatHook))
    warnings.push_back({"the main pf ruleset does not hook berth's NAT anchors, so its NAT rules are loaded but never "
                        "used; add this line to /etc/pf.conf (before any filter rule) and reload pf: " +
                            std::string(kPfNatHook),
                        {}});
  if (wants_pf && missing(kMissingPfRdrHook))
    for (const Resource& r : desired.resources)
      if (r.key.kind == kPf && !r.AttrOr(kRdr).empty()) {
        warnings.push_back({"the main pf ruleset does not hook berth's port forwards; add this line to /etc/pf.conf "
                            "and reload pf: " + std::string(kPfRdrHook),
                            {}});
        break;
      }
}

}  // namespace

std::unique_ptr<Platform> MakeFreeBsdPlatform() { return std::make_unique<FreeBsdPlatform>(); }

}  // namespace berth::reconciler
