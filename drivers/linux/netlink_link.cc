// Links over rtnetlink: bridges and veth pairs (the peer created directly in its netns in the same
// RTM_NEWLINK), state/MTU/master/MAC updates, ownership marks (group at creation, alias right after), deletes.
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "drivers/linux/apply.h"
#include "model/net.h"
#include "drivers/linux/platform/link_spec.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"
#include "reconciler/crash_point.h"

namespace berth::drivers::lnx {

NlMsg LinkRequest(int flags, const std::string& name, std::optional<bool> up) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  if (up) {
    ifi.ifi_change = IFF_UP;
    ifi.ifi_flags = *up ? IFF_UP : 0;
  }
  NlMsg m = NewRequest(RTM_NEWLINK, flags, &ifi, sizeof ifi);
  if (m && !PutStr(m.get(), IFLA_IFNAME, name)) m.reset();
  return m;
}

NlMsg AliasRequest(const std::string& name, const std::string& alias, std::optional<bool> up) {
  NlMsg m = LinkRequest(0, name, up);
  if (m && !(PutU32(m.get(), IFLA_GROUP, reconciler::kLinkGroup) && PutStr(m.get(), IFLA_IFALIAS, alias))) m.reset();
  return m;
}

namespace {

namespace lr = reconciler::linux_res;
using Kind = reconciler::DriverError::Kind;

using lr::LinkSpec;

/// The job's record, decoded by the platform's link codec; a malformed value fails the job.
std::optional<LinkSpec> ParseSpec(Job& job) {
  auto spec = lr::LinkFromResource(job.res());
  if (!spec) {
    job.Fail(Kind::kInvalid, spec.error().message);
    return std::nullopt;
  }
  return std::move(*spec);
}

NlMsg GetLinkRequest(const std::string& name) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  NlMsg m = NewRequest(RTM_GETLINK, 0, &ifi, sizeof ifi);
  if (m && !PutStr(m.get(), IFLA_IFNAME, name)) m.reset();
  return m;
}

/// ifindex and alias of `name` in the socket's namespace.
struct LinkBrief {
  int index = 0;
  std::string alias;
};
Result<LinkBrief, OsError> GetLink(NlSocket& sock, const std::string& name) {
  LinkBrief b;
  auto st = sock.Get(GetLinkRequest(name), [&](nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWLINK) return;
    b.index = static_cast<ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    nlattr* tb[IFLA_MAX + 1] = {};
    if (ParseAttrs(h, sizeof(ifinfomsg), tb, IFLA_MAX)) b.alias = AttrString(tb[IFLA_IFALIAS]);
  });
  if (!st) return Unexpected<OsError>{OsError{st.error().err, "RTM_GETLINK " + name, st.error().detail}};
  return b;
}

bool PutMac(nl_msg* m, int type, const model::Mac& mac) { return PutBytes(m, type, mac.bytes.data(), mac.bytes.size()); }

/// Names the missing feature when the kernel refuses a link kind.
OsError LinkError(const NlReply& r, const std::string& what, const std::string& kind) {
  OsError e{r.err, what, r.detail};
  if ((r.err == EOPNOTSUPP || r.err == EAFNOSUPPORT) && e.detail.empty()) e.detail = "link kind " + kind + " not supported by this kernel";
  return e;
}

/// The RTM_NEWLINK that creates a bridge or a veth pair (host end here, peer in its netns), marked with the
/// group; `netns_fd` is the peer's namespace or -1 for the same namespace.
}  // namespace

bool PutNoLinkLocal(nl_msg* m) {
  // A kernel without IPv6 refuses an AF_INET6 block (EAFNOSUPPORT), and has no link-local to avoid.
  static const bool has_ipv6 = ::access("/proc/sys/net/ipv6", F_OK) == 0;
  if (!has_ipv6) return true;
  nlattr* spec = nla_nest_start(m, IFLA_AF_SPEC);
  nlattr* inet6 = spec ? nla_nest_start(m, AF_INET6) : nullptr;
  if (!inet6 || nla_put_u8(m, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) != 0) return false;
  nla_nest_end(m, inet6);
  nla_nest_end(m, spec);
  return true;
}

namespace {

/// One tx and one rx queue, asked for at creation: a veth otherwise gets one per CPU and shrinks to one right
/// after registering, and shrinking a registered device waits for an RCU grace period under RTNL (per end).
bool PutSingleQueue(nl_msg* p) { return PutU32(p, IFLA_NUM_TX_QUEUES, 1) && PutU32(p, IFLA_NUM_RX_QUEUES, 1); }

NlMsg CreateRequest(const LinkSpec& s, int master_index, int netns_fd) {
  // A veth comes up in the follow-up that turns its IPv6 link-local off (the kernel takes that setting only
  // from a change, not in a create), so it never starts IPv6 work.
  NlMsg m = LinkRequest(NLM_F_CREATE | NLM_F_EXCL, s.name, s.type != lr::kLinkVeth && s.up.value_or(false));
  nl_msg* p = m.get();
  if (!p) return m;
  bool ok = PutU32(p, IFLA_GROUP, reconciler::kLinkGroup);
  if (s.mtu) ok = ok && PutU32(p, IFLA_MTU, *s.mtu);
  if (master_index > 0) ok = ok && PutU32(p, IFLA_MASTER, static_cast<uint32_t>(master_index));
  if (s.mac) ok = ok && PutMac(p, IFLA_ADDRESS, *s.mac);
  if (s.type == lr::kLinkVeth) ok = ok && PutSingleQueue(p);
  nlattr* info = nla_nest_start(p, IFLA_LINKINFO);
  ok = ok && info && PutStr(p, IFLA_INFO_KIND, s.type);
  if (ok && s.type == lr::kLinkVeth) {
    nlattr* data = nla_nest_start(p, IFLA_INFO_DATA);
    nlattr* peer = data ? nla_nest_start(p, VETH_INFO_PEER) : nullptr;
    ifinfomsg pifi{};
    pifi.ifi_family = AF_UNSPEC;
    // The peer stays down here: veth ties the pair together only after configuring the peer, and opening
    // an untied veth fails with ENOTCONN. It is brought up afterwards, in its namespace.
    ok = peer && nlmsg_append(p, &pifi, sizeof pifi, NLMSG_ALIGNTO) == 0 && PutStr(p, IFLA_IFNAME, s.peer) &&
         PutU32(p, IFLA_GROUP, reconciler::kLinkGroup);
    if (s.peer_mac) ok = ok && PutMac(p, IFLA_ADDRESS, *s.peer_mac);
    if (s.mtu) ok = ok && PutU32(p, IFLA_MTU, *s.mtu);
    ok = ok && PutSingleQueue(p);
    if (netns_fd >= 0) ok = ok && PutU32(p, IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
    if (ok) {
      nla_nest_end(p, peer);
      nla_nest_end(p, data);
    }
  }
  if (ok) nla_nest_end(p, info);
  if (!ok) m.reset();
  return m;
}

/// Per-batch state: pipelines per namespace, peer namespace fds kept open until the requests are sent.
class LinkBatch {
 public:
  LinkBatch(Env& env, BatchSockets& socks) : env_(env), socks_(socks) {}

  void Create(Job& job, const LinkSpec& s);
  void Update(Job& job, const LinkSpec& s);
  void Delete(Job& job);
  /// Runs every namespace's pipeline until none has work: a completion in one may queue work in another.
  void Run() {
    for (bool busy = true; busy;) {
      busy = false;
      for (auto& [scope, pipe] : pipes_) {
        if (pipe->idle()) continue;
        pipe->Run();
        busy = true;
      }
    }
  }

 private:
  NlPipeline* Pipe(Job& job, const std::string& scope) {
    auto sock = socks_.Get(scope);
    if (!sock) {
      job.Fail(sock.error());
      return nullptr;
    }
    auto& p = pipes_[scope];
    if (!p) p = std::make_unique<NlPipeline>(**sock);
    return p.get();
  }
  /// ifindex of the master in the link's namespace, cached per batch.
  std::optional<int> MasterIndex(Job& job, const std::string& master);

  Env& env_;
  BatchSockets& socks_;
  std::map<std::string, std::unique_ptr<NlPipeline>> pipes_;
  std::map<std::pair<std::string, std::string>, int> masters_;
  std::vector<UniqueFd> fds_;
};

std::optional<int> LinkBatch::MasterIndex(Job& job, const std::string& master) {
  if (master.empty()) return 0;
  auto cache_key = std::make_pair(job.key().scope, master);
  if (auto it = masters_.find(cache_key); it != masters_.end()) return it->second;
  auto sock = socks_.Get(job.key().scope);
  if (!sock) {
    job.Fail(sock.error());
    return std::nullopt;
  }
  auto link = GetLink(**sock, master);
  if (!link) {
    job.Fail(OsError{link.error().err, "master " + master, link.error().detail});
    return std::nullopt;
  }
  masters_[cache_key] = link->index;
  return link->index;
}

void LinkBatch::Create(Job& job, const LinkSpec& s) {
  if (s.type == lr::kLinkLoopback) return Update(job, s);  // exists with its namespace: "create" sets its state
  if (s.type != lr::kLinkBridge && s.type != lr::kLinkVeth) {
    return job.Fail(Kind::kNotSupported, "cannot create links of type '" + s.type + "'");
  }
  if (s.type == lr::kLinkVeth && s.peer.empty()) return job.Fail(Kind::kInvalid, "veth without peer");
  auto master = MasterIndex(job, s.master.value_or(""));
  if (!master) return;
  int netns_fd = -1;
  if (s.type == lr::kLinkVeth && !s.peer_netns.empty() && s.peer_netns != job.key().scope) {
    auto fd = env_.netns.Open(s.peer_netns);
    if (!fd) return job.Fail(fd.error());
    netns_fd = fd->get();
    fds_.push_back(std::move(*fd));
  }
  NlPipeline* pipe = Pipe(job, job.key().scope);
  if (!pipe) return;
  NlPipeline* peer_pipe = nullptr;
  if (s.type == lr::kLinkVeth) {
    peer_pipe = Pipe(job, s.peer_netns.empty() ? job.key().scope : s.peer_netns);
    if (!peer_pipe) return;
  }
  const std::string alias = OwnerAliasFor(job.res());
  pipe->Add(CreateRequest(s, *master, netns_fd), [&job, pipe, peer_pipe, s, alias](const NlReply& r) {
    if (!r.ok()) return job.Fail(LinkError(r, "RTM_NEWLINK", s.type));
    BERTH_CRASH_POINT("link.create.unaliased");
    // The kernel ignores an alias in the create message: tag right after; the group already marks it.
    const bool veth = s.type == lr::kLinkVeth;
    NlMsg tag = AliasRequest(s.name, alias, veth ? s.up : std::nullopt);
    if (tag && veth && !PutNoLinkLocal(tag.get())) tag.reset();
    pipe->Add(std::move(tag), [&job](const NlReply& r2) {
      if (!r2.ok()) job.Fail(OsError{r2.err, "RTM_NEWLINK alias", r2.detail});
      BERTH_CRASH_POINT("link.create.peer-down");
    });
    if (peer_pipe) {
      NlMsg peer = LinkRequest(0, s.peer, s.peer_up);
      if (peer && !PutNoLinkLocal(peer.get())) peer.reset();
      peer_pipe->Add(std::move(peer), [&job, peer = s.peer](const NlReply& r2) {
        if (!r2.ok()) job.Fail(OsError{r2.err, "RTM_NEWLINK " + peer, r2.detail});
      });
    }
  });
}

bool Wants(const Job& job, const char* field) {
  const auto& f = job.action->fields;
  return f.empty() || std::find(f.begin(), f.end(), field) != f.end();
}

void LinkBatch::Update(Job& job, const LinkSpec& s) {
  const bool loopback = s.type == lr::kLinkLoopback;
  NlMsg m = LinkRequest(0, s.name, Wants(job, lr::kUp) ? s.up : std::nullopt);
  bool ok = m != nullptr;
  if (ok && !loopback) ok = PutU32(m.get(), IFLA_GROUP, reconciler::kLinkGroup);
  if (ok && s.mtu && Wants(job, lr::kMtu)) ok = PutU32(m.get(), IFLA_MTU, *s.mtu);
  if (ok && s.mac && Wants(job, lr::kMac)) ok = PutMac(m.get(), IFLA_ADDRESS, *s.mac);
  if (ok && s.master && Wants(job, lr::kMaster)) {
    auto master = MasterIndex(job, *s.master);
    if (!master) return;
    ok = PutU32(m.get(), IFLA_MASTER, static_cast<uint32_t>(*master));
  }
  if (!ok) return job.Fail(OsError{EMSGSIZE, "build RTM_NEWLINK"});
  auto sock = socks_.Get(job.key().scope);
  if (!sock) return job.Fail(sock.error());
  // The tag check reads the link first: read after bringing it up, it would make the kernel settle the
  // pending carrier change there and then (linkwatch), which waits for an RCU grace period.
  if (!loopback) {
    EnsureOwnerTag(**sock, job, s.name);
    if (job.failed()) return;
  }
  if (auto st = (*sock)->Call(std::move(m)); !st) return job.Fail(st.error());

  // The veth peer lives in its netns: its state, MAC and MTU are set there.
  const bool peer_fields = (s.peer_up && Wants(job, lr::kPeerUp)) || (s.peer_mac && Wants(job, lr::kPeerMac)) ||
                           (s.mtu && Wants(job, lr::kMtu));
  if (s.type == lr::kLinkVeth && !s.peer.empty() && peer_fields) {
    auto psock = socks_.Get(s.peer_netns.empty() ? job.key().scope : s.peer_netns);
    if (!psock) return job.Fail(psock.error());
    NlMsg pm = LinkRequest(0, s.peer, Wants(job, lr::kPeerUp) ? s.peer_up : std::nullopt);
    bool pok = pm != nullptr;
    if (pok && s.peer_mac && Wants(job, lr::kPeerMac)) pok = PutMac(pm.get(), IFLA_ADDRESS, *s.peer_mac);
    if (pok && s.mtu && Wants(job, lr::kMtu)) pok = PutU32(pm.get(), IFLA_MTU, *s.mtu);
    if (!pok) return job.Fail(OsError{EMSGSIZE, "build RTM_NEWLINK"});
    if (auto st = (*psock)->Call(std::move(pm)); !st) {
      return job.Fail(OsError{st.error().err, "RTM_NEWLINK peer " + s.peer, st.error().detail});
    }
  }
  if (s.type == lr::kLinkTap && (Wants(job, lr::kOwnerUid) || Wants(job, lr::kOwnerGid)) &&
      (job.res().Attr(lr::kOwnerUid) || job.res().Attr(lr::kOwnerGid))) {
    UpdateTapOwner(env_, job);
  }
}

void LinkBatch::Delete(Job& job) {
  if (job.res().AttrOr(lr::kType) == lr::kLinkLoopback) return;  // goes with its namespace
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  NlMsg m = NewRequest(RTM_DELLINK, 0, &ifi, sizeof ifi);
  if (m && !PutStr(m.get(), IFLA_IFNAME, job.key().name)) m.reset();
  NlPipeline* pipe = Pipe(job, job.key().scope);
  if (!pipe) return;
  pipe->Add(std::move(m), [&job](const NlReply& r) {
    if (!r.ok() && r.err != ENODEV) job.Fail(OsError{r.err, "RTM_DELLINK", r.detail});  // gone: done
  });
}

}  // namespace

void EnsureOwnerTag(NlSocket& sock, Job& job, const std::string& name) {
  auto link = GetLink(sock, name);
  if (!link) return job.Fail(link.error());
  if (reconciler::ParseOwnerTag(link->alias)) return;
  if (auto st = sock.Call(AliasRequest(name, OwnerAliasFor(job.res()))); !st) {
    job.Fail(OsError{st.error().err, "RTM_NEWLINK alias", st.error().detail});
  }
}

void ApplyLinks(Env& env, BatchSockets& socks, std::vector<Job*>& jobs) {
  LinkBatch batch(env, socks);
  std::vector<Job*> taps;
  for (Job* job : jobs) {
    if (job->op() == reconciler::Op::kDelete) {
      batch.Delete(*job);
      continue;
    }
    auto spec = ParseSpec(*job);
    if (!spec) continue;
    if (spec->type == lr::kLinkTap && job->op() == reconciler::Op::kCreate) {
      taps.push_back(job);
    } else if (job->op() == reconciler::Op::kCreate) {
      batch.Create(*job, *spec);
    } else {
      batch.Update(*job, *spec);
    }
  }
  batch.Run();
  for (Job* job : taps) CreateTap(env, *job);
}

}  // namespace berth::drivers::lnx
