// The Linux platform: dependencies and containment of the Linux resources, field policies and plan-time
// checks against the host. The expansion itself is in linux_expand.cc.
#include <algorithm>
#include <set>
#include <string_view>

#include "drivers/linux/platform/linux_launch_record.h"
#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/link_spec.h"
#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_policy_reach.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_vm.h"
#include "drivers/linux/platform/ownership.h"
#include "drivers/linux/platform/resource_spec.h"

namespace berth::reconciler {
namespace {

using namespace linux_res;  // NOLINT: the vocabulary of this file

ResourceKey NetnsKey(const std::string& name) { return ResourceKey{kNetns, "", name}; }

/// In a VM's netns, eth0 is the peer of the host veth; the pair is one resource keyed by the host end.
ResourceKey LinkKeyIn(const std::string& scope, const std::string& dev) {
  if (!scope.empty() && dev == linux_res::kVmPeerName && scope.starts_with(linux_res::kNetnsPrefix))
    return ResourceKey{kLink, "", linux_res::VmHostVethName(scope.substr(linux_res::kNetnsPrefix.size()))};
  return ResourceKey{kLink, scope, dev};
}

/// Whether the rule group of a VM (key "vm/NAME") limits a packet rate in either direction.
bool HasPacketRate(const Resource& group) {
  const std::string vm = group.key.name.substr(3);
  return PacketRateOf(group.attrs, vm, true) || PacketRateOf(group.attrs, vm, false);
}

class LinuxPlatform final : public Platform {
 public:
  std::string name() const override { return "linux"; }

  DesiredState Expand(const model::Manifest& manifest, const Allocations& allocations) const override {
    return ExpandLinux(manifest, allocations);
  }

  std::vector<ResourceKey> DependenciesOf(const Resource& r) const override {
    const std::string& kind = r.key.kind;
    std::vector<ResourceKey> deps;
    if (kind == kNetns) {
      // The DNS file is written before the netns and removed after it, so a launcher never sees a netns
      // without its resolv.conf and a removal takes the netns (and everything in it) first.
      deps.push_back(ResourceKey{kFile, "", "/etc/netns/" + r.key.name + "/resolv.conf"});
    } else if (kind == kLink) {
      if (!r.key.scope.empty()) deps.push_back(NetnsKey(r.key.scope));
      if (auto* ns = r.Attr(kPeerNetns); ns && !ns->empty()) deps.push_back(NetnsKey(*ns));
      if (auto* master = r.Attr(kMaster); master && !master->empty())
        deps.push_back(ResourceKey{kLink, r.key.scope, *master});
    } else if (kind == kAddr) {
      if (auto* dev = r.Attr(kDev)) deps.push_back(LinkKeyIn(r.key.scope, *dev));
    } else if (kind == kTc) {
      deps.push_back(LinkKeyIn(r.key.scope, r.key.name));
      if (auto* to = r.Attr(kRedirectTo)) deps.push_back(LinkKeyIn(r.key.scope, *to));
    } else if (kind == kQdisc) {
      deps.push_back(LinkKeyIn(r.key.scope, r.key.name));
    } else if (kind == kNft) {
      deps.push_back(ResourceKey{linux_res::kNftTable, "", std::string(reconciler::kNftTable)});
    } else if (kind == kSysctl) {
      // route_localnet needs its bridge, and turns on only once the 127/8 guard is in place.
      if (auto bridge = RouteLocalnetBridge(r.key.name); !bridge.empty()) {
        deps.push_back(ResourceKey{kLink, "", bridge});
        deps.push_back(ResourceKey{kNft, "", kForwardsGroup});
      }
    } else if (kind == kVmProc) {
      // Launched once its network is complete; stopped before any of it goes (no container: a running
      // process must be stopped by its own step, never taken away with the netns).
      deps = VmProcDependencies(r);
    }
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    return deps;
  }

  HeldBack HeldBackOnCreate(const Resource& r) const override {
    // The devices tc programs (a TAP, the VM-side end of a veth) come up after their qdisc.
    if (r.key.kind != kLink) return {};
    auto is_true = [&](const char* field) {
      const std::string* v = r.Attr(field);
      return v && *v == kTrue;
    };
    const std::string* type = r.Attr(kType);
    if (!type) return {};
    if (*type == kLinkTap && is_true(kUp)) return {{{kUp, kFalse}}, {kTc}};
    if (*type == kLinkVeth && is_true(kPeerUp)) return {{{kPeerUp, kFalse}}, {kTc}};
    return {};
  }

  std::optional<Resource> ComesWithContainer(const Resource& r) const override {
    // A new network namespace has its loopback device, down (net/core/dev.c registers it per namespace).
    if (r.key.kind != kLink || r.key.scope.empty() || r.AttrOr(kType) != kLinkLoopback) return std::nullopt;
    Resource lo;
    lo.key = r.key;
    lo.attrs = {{kType, kLinkLoopback}, {kUp, kFalse}};
    lo.ownership = Ownership::kOwned;
    return lo;
  }

  std::optional<ResourceKey> ContainerOf(const Resource& r) const override {
    const std::string& kind = r.key.kind;
    if (kind == kLink) {
      if (!r.key.scope.empty()) return NetnsKey(r.key.scope);
      // Deleting the peer's netns deletes the peer, and a veth pair dies together.
      if (auto* ns = r.Attr(kPeerNetns); ns && !ns->empty()) return NetnsKey(*ns);
      return std::nullopt;
    }
    if (kind == kAddr) {
      if (auto* dev = r.Attr(kDev)) return LinkKeyIn(r.key.scope, *dev);
      return std::nullopt;
    }
    if (kind == kTc || kind == kQdisc) return LinkKeyIn(r.key.scope, r.key.name);
    if (kind == kNft) return ResourceKey{linux_res::kNftTable, "", std::string(reconciler::kNftTable)};
    return std::nullopt;
  }

  FieldPolicy PolicyOf(const std::string& kind, const std::string& field) const override {
    // Asked for every field of every record the diff compares: a flat table, no allocation per lookup.
    static constexpr std::pair<std::string_view, std::string_view> kReplace[] = {
        {kLink, kType},     {kLink, kPeer},      {kLink, kPeerNetns}, {kLink, kOwnerUid},
        {kLink, kOwnerGid}, {kAddr, kDev},       {kAddr, kAddress},   {kTc, kRedirectTo},
    };
    if (kind == kNft && (field == kEgress || field == kListen)) return FieldPolicy::kIgnore;
    if (kind == kVmProc) {
      // A dead process is restarted in place; any other launch setting needs a stop and a new launch.
      if (field == kRunning) return FieldPolicy::kUpdate;
      if (field == kPid || field == kStarted || field == kAccelerator) return FieldPolicy::kIgnore;
      return FieldPolicy::kReplace;
    }
    for (const auto& [k, f] : kReplace)
      if (k == kind && f == field) return FieldPolicy::kReplace;
    return FieldPolicy::kUpdate;
  }

  std::optional<std::string> RecordError(const Resource& r) const override { return LinuxRecordError(r); }

  bool IsWorkload(const ResourceKey& key) const override { return key.kind == kNetns; }
  bool IsSetting(const ResourceKey& key) const override {
    // A bridge's route_localnet is not a setting left on: without its forwards (and their 127/8 guard) it
    // would open the host's loopback services to the bridge (CVE-2020-8558), so it is turned off again.
    return key.kind == kSysctl && RouteLocalnetBridge(key.name).empty();
  }

  std::string OwnerOf(const Resource& r) const override {
    if (!r.owner.empty()) return r.owner;
    std::string ns;
    if (r.key.kind == kNetns) ns = r.key.name;
    else if (!r.key.scope.empty()) ns = r.key.scope;
    else if (r.key.kind == kFile && r.key.name.starts_with("/etc/netns/")) {
      ns = r.key.name.substr(11);
      ns = ns.substr(0, ns.find('/'));
    }
    if (ns.starts_with(linux_res::kNetnsPrefix)) return "VM/" + ns.substr(linux_res::kNetnsPrefix.size());
    // nft rule groups are named after their manifest resource: "vm/NAME", "nat/NAME".
    if (r.key.kind == kNft && r.key.name.starts_with("vm/")) return "VM/" + r.key.name.substr(3);
    if (r.key.kind == kVmProc) return "VM/" + r.key.name;
    if (r.key.kind == kNft && r.key.name.starts_with("nat/")) return "NAT/" + r.key.name.substr(4);
    return "";
  }

  void CheckHost(const DesiredState& desired, const ObservedState& observed, std::vector<Conflict>& conflicts,
                 std::vector<Warning>& warnings) const override;

  void HoldBlocked(ChangeSet& changes, const HostFacts& facts) const override {
    HoldBlockedLaunches(changes, facts);
  }

  void NoteWidenings(ChangeSet& changes) const override {
    changes.widens = ReachWidenings(changes);
    AddForwardWidenings(changes, changes.widens);
  }
  std::vector<LaunchRecord> LaunchRecords(const ObservedState& observed, const Allocations& allocations,
                                          const std::string& scope_dir) const override {
    return LinuxLaunchRecords(observed, allocations, scope_dir);
  }
};

void LinuxPlatform::CheckHost(const DesiredState& desired, const ObservedState& observed,
                              std::vector<Conflict>& conflicts, std::vector<Warning>& warnings) const {
  // One pass over every desired record (800,000 at 100,000 VMs): no allocation per record.
  const HostFacts& facts = observed.facts;
  std::set<std::string> needed_features;
  std::vector<std::string_view> desired_links;  // host interfaces berth creates: egress may name them
  std::vector<const Resource*> egress_users, listen_users;
  std::vector<std::string> desired_addresses;  // the host addresses berth gives its bridges
  bool wants_nft = false;
  for (const Resource& r : desired.resources) {
    if (r.key.kind == kLink && r.key.scope.empty()) desired_links.push_back(r.key.name);
    if (r.key.kind == kNft) wants_nft = true;
    if (r.key.kind == kLink) {
      const std::string* type = r.Attr(kType);
      if (type && *type == kLinkTap) needed_features.insert("tun");
      if (type && (*type == kLinkVeth || *type == kLinkBridge)) needed_features.insert(*type);
    }
    // Records are decoded with their kinds' codecs where the diff finds work for them (RecordError).
    if (r.key.kind == linux_res::kNftTable) needed_features.insert("nf_tables");
    // A packet rate (linux_policy.h) is a limit rule at the VM's bridge port.
    if (r.key.kind == kNft && r.key.name.starts_with("vm/") && HasPacketRate(r)) needed_features.insert("nft_limit");

    if (r.key.kind == kAddr && r.key.scope.empty()) {
      auto cidr = model::Cidr4::Parse(r.AttrOr(kAddress));
      if (!cidr) continue;
      for (const auto& foreign : facts.foreign_networks) {
        if (!cidr->Overlaps(foreign.network)) continue;
        conflicts.push_back({r.key,
                             "subnet " + cidr->Network().ToString() + " of bridge " + r.AttrOr(kDev) +
                                 " overlaps " + foreign.where + ", which berth does not own",
                             r.provenance});
      }
    }
    if (r.key.kind == kNft && r.Attr(kEgress)) egress_users.push_back(&r);
    if (r.key.kind == kNft && r.Attr(kListen)) listen_users.push_back(&r);
    if (r.key.kind == kAddr && r.key.scope.empty()) {
      const std::string& address = r.AttrOr(kAddress);
      desired_addresses.push_back(address.substr(0, address.find('/')));
    }
  }
  // A forward's listen address must be the host's: one it has, or a bridge address berth gives it.
  for (const Resource* r : listen_users) {
    const std::string& text = *r->Attr(kListen);
    for (size_t at = 0; at < text.size();) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      const std::string address = text.substr(at, end - at);
      at = end + 1;
      const bool have = std::binary_search(facts.addresses.begin(), facts.addresses.end(), address) ||
                        std::find(desired_addresses.begin(), desired_addresses.end(), address) != desired_addresses.end();
      if (!have)
        conflicts.push_back({r->key, "listen address " + address + " of a forward is not an address of this host",
                             r->provenance});
    }
  }
  // Records are sorted by key, so the host links' names came in order.
  for (const Resource* r : egress_users) {
    const std::string& egress = *r->Attr(kEgress);
    bool exists = std::binary_search(desired_links.begin(), desired_links.end(), std::string_view(egress)) ||
                  std::find(facts.interfaces.begin(), facts.interfaces.end(), egress) != facts.interfaces.end();
    if (!exists)
      conflicts.push_back({r->key, "egress interface " + egress + " does not exist on this host", r->provenance});
  }
  for (const auto& missing : facts.missing_features) {
    if (!needed_features.count(missing)) continue;
    conflicts.push_back({std::nullopt, "the kernel lacks " + missing + ", which the manifests need", {}});
  }
  if (wants_nft) {
    for (const auto& chain : facts.foreign_drop_chains)
      warnings.push_back({"foreign forward chain " + chain +
                              " drops what berth's rules accept; outbound and forwarded traffic will not flow",
                          {}});
  }
}

}  // namespace

std::unique_ptr<Platform> MakeLinuxPlatform() { return std::make_unique<LinuxPlatform>(); }

}  // namespace berth::reconciler
