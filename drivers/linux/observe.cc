// Observation: the host's links and addresses, each berth netns's links, addresses and tc redirects (a VM's
// eth0 folded into its host veth), nftables groups, ip_forward, DNS files; then the host facts.
#include "drivers/linux/observe.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <cerrno>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "drivers/linux/netns_ownership.h"
#include "drivers/linux/netns_record.h"
#include "drivers/linux/nft.h"
#include "drivers/linux/resolv.h"
#include "drivers/linux/snapshot.h"
#include "drivers/linux/sysctl.h"
#include "drivers/linux/vm.h"
#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"
#include "reconciler/half_made.h"
#include "reconciler/log.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;
using reconciler::Ownership;
using reconciler::Resource;
using reconciler::ResourceKey;

constexpr size_t kMaxFileSize = 64 * 1024;

/// Link ownership: the group marks it berth's, the alias says whose. A loopback inside a berth netns is the
/// netns's own.
void SetLinkOwnership(Resource& r, const LinkRecord& l, bool in_berth_netns) {
  if (in_berth_netns && l.type == "loopback") {
    r.ownership = Ownership::kOwned;
  } else if (l.group != reconciler::kLinkGroup) {
    r.ownership = Ownership::kUnowned;
  } else if (auto tag = reconciler::ParseOwnerTag(l.alias)) {
    r.ownership = Ownership::kOwned;
    r.owner = tag->origin;
  } else {
    r.ownership = Ownership::kMarked;
  }
}

Resource LinkResource(const std::string& scope, const LinkRecord& l, const Snapshot& snap, bool in_berth_netns) {
  Resource r;
  r.key = ResourceKey{lr::kLink, scope, l.name};
  r.attrs[lr::kType] = l.type;
  r.attrs[lr::kUp] = l.up ? lr::kTrue : lr::kFalse;
  if (l.mtu) r.attrs[lr::kMtu] = std::to_string(l.mtu);
  if (!l.mac.empty()) r.attrs[lr::kMac] = l.mac;
  if (l.master) r.attrs[lr::kMaster] = snap.NameOf(l.master);
  if (l.tun_owner) r.attrs[lr::kOwnerUid] = std::to_string(*l.tun_owner);
  if (l.tun_group) r.attrs[lr::kOwnerGid] = std::to_string(*l.tun_group);
  SetLinkOwnership(r, l, in_berth_netns);
  return r;
}

void AddAddrs(const std::string& scope, const Snapshot& snap, const std::vector<Resource>& links,
              std::vector<Resource>& out) {
  for (const auto& a : snap.addrs) {
    const LinkRecord* l = snap.ByIndex(a.index);
    if (!l || l->type == "loopback") continue;  // lo's 127.0.0.1 comes with every namespace
    Resource r;
    const std::string address = a.cidr.ToString();
    r.key = ResourceKey{lr::kAddr, scope, l->name + "/" + address};
    r.attrs = {{lr::kDev, l->name}, {lr::kAddress, address}};
    r.ownership = Ownership::kUnowned;
    for (const auto& lres : links) {
      if (lres.key.name == l->name && lres.key.scope == scope) {
        r.ownership = lres.ownership;
        r.owner = lres.owner;
      }
    }
    out.push_back(std::move(r));
  }
}

/// Reads one berth netns; nullopt when it vanished or cannot be entered (it is still reported as a netns).
std::optional<NetnsView> ReadNetns(Env& env, NlSocket& host, const std::string& name) {
  auto fd = env.netns.Open(name);
  if (!fd) return std::nullopt;
  auto sock = NlSocket::OpenIn(fd->get(), NlSocket::Use::kDumpsOnly);
  if (!sock) return std::nullopt;
  auto snap = ReadSnapshot(**sock, SnapshotOptions{.addrs = true, .tc = true, .routes = false});
  if (!snap) return std::nullopt;
  NetnsView v{name, std::move(*snap), -1, 0};
  if (auto id = NsidOf(host, fd->get())) v.host_nsid = *id;
  struct stat st {};
  if (::fstat(fd->get(), &st) == 0) v.inode = st.st_ino;
  return v;
}


/// Reads the named namespaces, split over up to one thread per core: each read is a few dozen system calls
/// that mostly wait on the kernel (rtnetlink dumps, setns), and a host of 1,000 VMs has 1,000 of them.
/// Every thread has its own sockets (a netlink socket belongs to one thread at a time). Results keep the
/// order of `names`.
std::vector<std::optional<NetnsView>> ReadNetnsAll(Env& env, NlSocket& host, const std::vector<std::string>& names) {
  std::vector<std::optional<NetnsView>> out(names.size());
  std::vector<char> read(names.size(), 0);  // per name: some thread read it (a vanished netns reads as nullopt)
  constexpr size_t kPerThreadMin = 32;  // below this a thread costs more than it saves
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads =
      env.options.observe_threads > 0
          ? std::max<size_t>(1, std::min<size_t>(size_t(env.options.observe_threads), names.size()))
          : std::min(cores, std::max<size_t>(1, names.size() / kPerThreadMin));
  auto read_share = [&](size_t t, NlSocket& host_sock) {
    for (size_t i = t; i < names.size(); i += threads) {
      out[i] = ReadNetns(env, host_sock, names[i]);
      read[i] = 1;
    }
  };
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t)
    workers.emplace_back([&, t] {
      if (auto own = NlSocket::OpenIn(env.host_netns.get())) read_share(t, **own);
      // Without a socket of its own the share is read below, on the calling thread.
    });
  read_share(0, host);
  for (auto& w : workers) w.join();
  for (size_t i = 0; i < names.size(); ++i)
    if (!read[i]) out[i] = ReadNetns(env, host, names[i]);  // the share of a thread that got no socket
  return out;
}

/// Files in /etc/netns/berth-*/ as file resources named by their /etc/netns path.
void AddFiles(const std::string& etc_dir, std::vector<Resource>& out) {
  DIR* top = ::opendir(etc_dir.c_str());
  if (!top) return;
  while (dirent* d = ::readdir(top)) {
    std::string dir = d->d_name;
    if (!dir.starts_with(reconciler::linux_res::kNetnsPrefix)) continue;
    DIR* sub = ::opendir((etc_dir + "/" + dir).c_str());
    if (!sub) continue;
    while (dirent* f = ::readdir(sub)) {
      std::string file = f->d_name;
      // A temporary copy (.berth-tmp-*) is reported too: one left by a crash is a leak to collect, and would
      // otherwise keep the directory from going with its last file.
      if (file == "." || file == "..") continue;
      const std::string path = etc_dir + "/" + dir + "/" + file;
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) continue;
      UniqueFd guard(fd);
      struct stat st {};
      if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;
      std::string content(std::min<size_t>(st.st_size, kMaxFileSize), '\0');
      ssize_t n = ::read(fd, content.data(), content.size());
      if (n < 0) continue;
      content.resize(static_cast<size_t>(n));
      Resource r;
      r.key = ResourceKey{lr::kFile, "", std::string(kEtcNetns) + "/" + dir + "/" + file};
      r.attrs[lr::kContent] = std::move(content);
      // The prefix makes the directory berth's, not everything in it: only the files berth writes there are.
      const bool berths = file == "resolv.conf" || file.starts_with(".berth-tmp-");
      r.ownership = berths ? Ownership::kOwned : Ownership::kUnowned;
      out.push_back(std::move(r));
    }
    ::closedir(sub);
  }
  ::closedir(top);
}

/// The "driver.linux" logger.
std::shared_ptr<spdlog::logger> Log() { return reconciler::NamedLogger("driver.linux"); }

reconciler::DriverError ObserveError(const OsError& e) {
  return MakeDriverError("observe", ResourceKey{"host", "", ""}, e);
}

void AddHostFacts(Env& env, const Snapshot& host, const std::vector<Resource>& links, reconciler::HostFacts& facts);

}  // namespace

void ObserveMemory::Touch(const reconciler::Action& action) {
  const auto& r = action.resource;
  std::lock_guard lock(mu_);
  if (!r.key.scope.empty()) touched_scopes_.insert(r.key.scope);
  if (r.key.kind == lr::kNetns) touched_scopes_.insert(r.key.name);
  if (auto* peer_ns = r.Attr(lr::kPeerNetns); peer_ns && !peer_ns->empty()) touched_scopes_.insert(*peer_ns);
  if (r.key.kind == lr::kNft || r.key.kind == lr::kNftTable) touched_firewall_ = true;
}

std::pair<std::set<std::string>, bool> ObserveMemory::TakeTouched() {
  std::lock_guard lock(mu_);
  std::pair<std::set<std::string>, bool> out{std::move(touched_scopes_), touched_firewall_};
  touched_scopes_.clear();
  touched_firewall_ = false;
  return out;
}

Result<reconciler::ObservedState, reconciler::DriverError> ObserveHost(Env& env,
                                                                        const reconciler::ObserveRequest& request,
                                                                        ObserveMemory& memory) {
  reconciler::ObservedState out;
  // Not a structured binding: the lambda below captures it (clang 14, the sanitizer build's, cannot).
  const auto taken = memory.TakeTouched();
  const std::set<std::string>& touched = taken.first;
  const bool touched_firewall = taken.second;
  const bool everything = !request.changed_scopes.has_value();
  auto stale = [&](const NetnsEntry& e) {
    if (everything || request.changed_scopes->count(e.name) || touched.count(e.name)) return true;
    auto it = memory.views.find(e.name);
    // A namespace deleted and made again under the same name between two reads is another namespace.
    return it == memory.views.end() || it->second.inode == 0 || it->second.inode != e.inode;
  };
  auto host_sock = NlSocket::OpenIn(env.host_netns.get());
  if (!host_sock) return MakeUnexpected(ObserveError(host_sock.error()));
  NlSocket& host = **host_sock;
  auto host_snap = ReadSnapshot(host, SnapshotOptions{.addrs = true, .tc = false, .routes = request.host_facts});
  if (!host_snap) return MakeUnexpected(ObserveError(host_snap.error()));

  // Namespaces: berth's by prefix; other named namespaces are reported (unowned) but never entered.
  auto entries = env.netns.List();
  if (!entries) return MakeUnexpected(ObserveError(entries.error()));
  std::vector<const NetnsView*> views;
  std::map<std::string, size_t> netns_at;  // name -> index of its resource in out.resources
  std::map<std::string, NetnsView> kept;
  std::vector<std::string> to_read;
  // The netns berth recorded creating; without a record yet, every berth- netns counts (netns_record.h).
  std::optional<std::set<std::string>> recorded;
  std::set<std::string> unrecorded;
  if (env.options.record_netns && !env.options.adopt_foreign_netns) {
    auto record = LoadNetnsRecord(env.options.state_dir);
    if (!record) return MakeUnexpected(reconciler::DriverError{reconciler::DriverError::Kind::kInvalid, "observe",
                                                               ResourceKey{lr::kNetns, "", ""}, 0, record.error().message});
    recorded = std::move(*record);
  }
  for (const auto& e : *entries) {
    Resource r;
    r.key = ResourceKey{lr::kNetns, "", e.name};
    const bool berth = e.name.starts_with(reconciler::linux_res::kNetnsPrefix);
    // A berth- name berth never recorded making is an operator's look-alike: neither adopted nor removed. It is
    // read all the same, so the conflict can say what it holds.
    if (berth && recorded && !recorded->count(e.name)) unrecorded.insert(e.name);
    r.ownership = !berth ? Ownership::kUnowned : e.mounted ? Ownership::kOwned : Ownership::kMarked;
    // A file with nothing mounted on it (a crash between creating and binding it, or a planted file) cannot be
    // entered: it must be made again, not adopted.
    if (berth && !e.mounted) r.attrs[reconciler::kBrokenAttr] = "a file with no namespace mounted on it";
    netns_at[e.name] = out.resources.size();
    out.resources.push_back(std::move(r));
    if (!berth || !e.mounted) continue;
    if (stale(e)) {
      to_read.push_back(e.name);
    } else if (auto it = memory.views.find(e.name); it != memory.views.end()) {
      kept.insert_or_assign(e.name, std::move(it->second));
    }
  }
  const size_t reread = to_read.size();
  auto read = ReadNetnsAll(env, host, to_read);
  for (size_t i = 0; i < to_read.size(); ++i)
    if (read[i]) kept.insert_or_assign(to_read[i], std::move(*read[i]));
  memory.views = std::move(kept);  // namespaces that are gone are forgotten
  for (const auto& [name, view] : memory.views) views.push_back(&view);
  std::set<std::string> foreign;
  if (!env.options.adopt_foreign_netns) foreign = MarkForeignNetns(views, netns_at, out.resources);
  DisownUnrecordedNetns(unrecorded, netns_at, out.resources, foreign);

  // Host links; a veth whose peer sits in a berth netns carries the peer's name, netns, MAC and state.
  std::vector<Resource> host_links;
  std::set<std::pair<std::string, int>> folded;  // (netns, ifindex) of peers folded into host veths
  for (const auto& l : host_snap->links) {
    Resource r = LinkResource("", l, *host_snap, false);
    if (l.kind == "veth") {
      r.attrs[lr::kPeer] = "";
      r.attrs[lr::kPeerNetns] = "";
      if (!l.link_netnsid) {
        r.attrs[lr::kPeer] = host_snap->NameOf(l.iflink);
      } else {
        for (const NetnsView* v : views) {
          const LinkRecord* peer = v->host_nsid == *l.link_netnsid ? v->snap.ByIndex(l.iflink) : nullptr;
          if (!peer) continue;
          r.attrs[lr::kPeer] = peer->name;
          r.attrs[lr::kPeerNetns] = v->name;
          r.attrs[lr::kPeerUp] = peer->up ? lr::kTrue : lr::kFalse;
          if (!peer->mac.empty()) r.attrs[lr::kPeerMac] = peer->mac;
          folded.insert({v->name, peer->index});
        }
      }
    }
    host_links.push_back(std::move(r));
  }
  AddAddrs("", *host_snap, host_links, out.resources);

  for (const NetnsView* view : views) {
    const NetnsView& v = *view;
    std::vector<Resource> ns_links;
    for (const auto& l : v.snap.links) {
      if (folded.count({v.name, l.index})) continue;
      ns_links.push_back(LinkResource(v.name, l, v.snap, true));
      // Adopting a netns (--adopt-foreign-netns) adopts what is in it: the plan then lists each such link as
      // going with the netns (or collected), instead of the netns taking it along unmentioned.
      if (env.options.adopt_foreign_netns && ns_links.back().ownership == Ownership::kUnowned)
        ns_links.back().ownership = Ownership::kMarked;
      // The loopback comes with the namespace, and so is as much berth's as the namespace is.
      if (foreign.count(v.name) && l.type == "loopback") ns_links.back().ownership = Ownership::kUnowned;
    }
    AddAddrs(v.name, v.snap, ns_links, out.resources);
    for (const auto& [index, target] : v.snap.redirects) {
      const LinkRecord* dev = v.snap.ByIndex(index);
      if (!dev) continue;
      Resource r;
      r.key = ResourceKey{lr::kTc, v.name, dev->name};
      r.attrs[lr::kRedirectTo] = target ? v.snap.NameOf(*target) : "";
      r.ownership = Ownership::kOwned;
      out.resources.push_back(std::move(r));
    }
    AddShapers(v.name, v.snap, out.resources);
    for (auto& r : ns_links) out.resources.push_back(std::move(r));
  }

  if (everything || request.firewall_changed || touched_firewall || !memory.nft) {
    auto read = env.nft->Read();
    if (read) memory.nft = std::move(*read);
    else memory.nft.reset();
    if (!read && read.error().err != EOPNOTSUPP && read.error().err != EPROTONOSUPPORT)
      return MakeUnexpected(ObserveError(read.error()));
  }
  const std::optional<NftTableState>& nft = memory.nft;
  if (nft && nft->exists) {
    Resource table;
    table.key = ResourceKey{lr::kNftTable, "", std::string(reconciler::kNftTable)};
    table.attrs[lr::kChains] = NftChainsAttr(*nft);
    out.resources.push_back(std::move(table));
    for (const auto& [group, chains] : nft->groups) {
      Resource r;
      r.key = ResourceKey{lr::kNft, "", group};
      for (const auto& [chain, rules] : chains) {
        std::string text;
        for (const auto& rule : rules) text += (text.empty() ? "" : "\n") + rule;
        r.attrs[chain] = text;
      }
      out.resources.push_back(std::move(r));
    }
  }

  ObserveSysctls(env.options.proc_sys, host_links, out.resources);
  AddFiles(env.options.etc_dir, out.resources);
  std::vector<std::string> mounted;
  for (const NetnsView* v : views) mounted.push_back(v->name);
  ObserveVms(env, mounted, out.resources);
  if (request.host_facts) AddHostFacts(env, *host_snap, host_links, out.facts);
  if (request.host_facts && request.launch_facts) out.facts.launch_blockers = LaunchBlockers(env.options);
  for (auto& r : host_links) out.resources.push_back(std::move(r));
  out.Sort();
  Log()->debug("observed {} resources: {} host links, {} berth namespaces ({} read again) of {} named",
               out.resources.size(), host_snap->links.size(), views.size(), reread, entries->size());
  return out;
}

namespace {

void AddHostFacts(Env& env, const Snapshot& host, const std::vector<Resource>& links, reconciler::HostFacts& facts) {
  std::set<std::string> berths;  // host links berth owns or marked
  for (const auto& r : links) {
    facts.interfaces.push_back(r.key.name);
    if (r.ownership != Ownership::kUnowned) berths.insert(r.key.name);
  }
  std::sort(facts.interfaces.begin(), facts.interfaces.end());
  for (const auto& a : host.addrs) facts.addresses.push_back(a.cidr.address.ToString());
  std::sort(facts.addresses.begin(), facts.addresses.end());
  facts.addresses.erase(std::unique(facts.addresses.begin(), facts.addresses.end()), facts.addresses.end());
  const model::Cidr4 loopback{model::Ipv4{0x7f000000}, 8};
  std::set<std::pair<model::Cidr4, std::string>> found;
  for (const auto& a : host.addrs) {
    const LinkRecord* l = host.ByIndex(a.index);
    if (!l || l->type == "loopback" || berths.count(l->name) || loopback.Contains(a.cidr.address)) continue;
    found.insert({a.cidr.Network(), "address " + a.cidr.ToString() + " on " + l->name});
  }
  for (const auto& rt : host.routes) {
    // The local table holds the host's own addresses (reported above); default routes overlap everything.
    if (rt.table == 255 || rt.dst.prefix == 0 || loopback.Contains(rt.dst.address)) continue;
    const std::string dev = rt.oif ? host.NameOf(rt.oif) : "";
    if (!dev.empty() && berths.count(dev)) continue;
    std::string where = "route " + rt.dst.Network().ToString() + (dev.empty() ? "" : " dev " + dev);
    if (rt.table != 254) where += " table " + std::to_string(rt.table);
    found.insert({rt.dst.Network(), where});
  }
  for (const auto& [net, where] : found) facts.foreign_networks.push_back({net, where});
  facts.missing_features = MissingFeatures(env);
  if (auto drops = env.nft->ForeignDropChains()) facts.foreign_drop_chains = std::move(*drops);
}

}  // namespace
}  // namespace berth::drivers::lnx
