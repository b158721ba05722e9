// tc redirects over rtnetlink, per namespace in one pipeline: ingress qdisc (an existing one is reused), then
// `u32 match u32 0 0 action mirred egress redirect dev TO` (cls_matchall may be missing from the kernel).
#include "drivers/linux/tc_redirect.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/attr.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "drivers/linux/apply.h"
#include "drivers/linux/platform/linux_resources.h"
#include "reconciler/crash_point.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

}  // namespace

NlMsg IngressQdiscRequest(int type, int flags, int index) {
  tcmsg t{};
  t.tcm_family = AF_UNSPEC;
  t.tcm_ifindex = index;
  t.tcm_handle = kIngressHandle;
  t.tcm_parent = kIngressParent;
  NlMsg m = NewRequest(type, flags, &t, sizeof t);
  if (m && type == RTM_NEWQDISC && !PutStr(m.get(), TCA_KIND, "ingress")) m.reset();
  return m;
}

NlMsg RedirectFilterRequest(int index, int to_index) {
  tcmsg t{};
  t.tcm_family = AF_UNSPEC;
  t.tcm_ifindex = index;
  t.tcm_parent = kIngressHandle;
  t.tcm_info = TC_H_MAKE(0, htons(ETH_P_ALL));  // priority chosen by the kernel, protocol all
  NlMsg m = NewRequest(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof t);
  nl_msg* p = m.get();
  if (!p) return m;
  // One key matching everything: value 0 under mask 0 at offset 0; terminal.
  alignas(tc_u32_sel) unsigned char sel[sizeof(tc_u32_sel) + sizeof(tc_u32_key)] = {};
  tc_u32_sel head{};
  head.flags = TC_U32_TERMINAL;
  head.nkeys = 1;
  std::memcpy(sel, &head, sizeof head);
  tc_mirred mirred{};
  mirred.action = TC_ACT_STOLEN;
  mirred.eaction = TCA_EGRESS_REDIR;
  mirred.ifindex = static_cast<uint32_t>(to_index);
  bool ok = PutStr(p, TCA_KIND, "u32");
  nlattr* opts = ok ? nla_nest_start(p, TCA_OPTIONS) : nullptr;
  ok = opts && PutBytes(p, TCA_U32_SEL, sel, sizeof sel);
  nlattr* acts = ok ? nla_nest_start(p, TCA_U32_ACT) : nullptr;
  nlattr* act = acts ? nla_nest_start(p, 1) : nullptr;
  ok = act && PutStr(p, TCA_ACT_KIND, "mirred");
  nlattr* aopts = ok ? nla_nest_start(p, TCA_ACT_OPTIONS) : nullptr;
  ok = aopts && PutBytes(p, TCA_MIRRED_PARMS, &mirred, sizeof mirred);
  if (!ok) return NlMsg();
  nla_nest_end(p, aopts);
  nla_nest_end(p, act);
  nla_nest_end(p, acts);
  nla_nest_end(p, opts);
  return m;
}

std::optional<TcTarget> TcTargetOf(Job& job, BatchSockets& socks,
                                   std::map<std::string, std::unique_ptr<NlPipeline>>& pipes) {
  auto sock = socks.Get(job.key().scope);
  if (!sock) {
    job.Fail(sock.error());
    return std::nullopt;
  }
  auto dev = IndexOf(**sock, job.key().name);
  if (!dev) {
    // The device is gone, and what tc had on it with it.
    if (job.op() != reconciler::Op::kDelete || dev.error().err != ENODEV) job.Fail(dev.error());
    return std::nullopt;
  }
  auto& pipe = pipes[job.key().scope];
  if (!pipe) pipe = std::make_unique<NlPipeline>(**sock);
  return TcTarget{*dev, *sock, pipe.get()};
}

Result<int, OsError> IndexOf(NlSocket& sock, const std::string& dev) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  NlMsg m = NewRequest(RTM_GETLINK, 0, &ifi, sizeof ifi);
  if (m && !PutStr(m.get(), IFLA_IFNAME, dev)) m.reset();
  int index = 0;
  auto st = sock.Get(std::move(m), [&](nlmsghdr* h) {
    if (h->nlmsg_type == RTM_NEWLINK) index = static_cast<ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
  });
  if (!st) return OsFail(st.error().err, "link " + dev, st.error().detail);
  if (index == 0) return OsFail(ENODEV, "link " + dev);
  return index;
}

namespace {

/// Names the missing kernel feature when tc refuses a kind.
OsError TcError(const NlReply& r, int type, const char* feature) {
  OsError e{r.err, RtmName(type), r.detail};
  if ((r.err == EOPNOTSUPP || r.err == ENOENT) && e.detail.empty()) e.detail = std::string(feature) + " not available";
  return e;
}

}  // namespace

std::optional<int> ParseIngressQdisc(nlmsghdr* h) {
  nlattr* tb[TCA_MAX + 1] = {};
  auto* t = static_cast<tcmsg*>(NLMSG_DATA(h));
  if (!ParseAttrs(h, sizeof(tcmsg), tb, TCA_MAX)) return std::nullopt;
  if (t->tcm_parent != kIngressParent || AttrString(tb[TCA_KIND]) != "ingress") return std::nullopt;
  return t->tcm_ifindex;
}

std::optional<int> ParseRedirectFilter(nlmsghdr* h) {
  nlattr* tb[TCA_MAX + 1] = {};
  nlattr* u32[TCA_U32_MAX + 1] = {};
  if (!ParseAttrs(h, sizeof(tcmsg), tb, TCA_MAX) || AttrString(tb[TCA_KIND]) != "u32" || !tb[TCA_OPTIONS]) {
    return std::nullopt;
  }
  if (!ParseNested(tb[TCA_OPTIONS], u32, TCA_U32_MAX) || !u32[TCA_U32_ACT]) return std::nullopt;
  // Only a match-all selector counts (every key masked out).
  if (u32[TCA_U32_SEL]) {
    auto* sel = static_cast<tc_u32_sel*>(nla_data(u32[TCA_U32_SEL]));
    size_t len = static_cast<size_t>(nla_len(u32[TCA_U32_SEL]));
    if (len < sizeof(tc_u32_sel)) return std::nullopt;
    for (unsigned i = 0; i < sel->nkeys && sizeof(tc_u32_sel) + (i + 1) * sizeof(tc_u32_key) <= len; ++i) {
      if (sel->keys[i].mask != 0) return std::nullopt;
    }
  }
  nlattr* a;
  int rem;
  nla_for_each_nested(a, u32[TCA_U32_ACT], rem) {
    nlattr* act[TCA_ACT_MAX + 1] = {};
    nlattr* mir[TCA_MIRRED_MAX + 1] = {};
    if (!ParseNested(a, act, TCA_ACT_MAX) || AttrString(act[TCA_ACT_KIND]) != "mirred" || !act[TCA_ACT_OPTIONS]) continue;
    if (!ParseNested(act[TCA_ACT_OPTIONS], mir, TCA_MIRRED_MAX) || !mir[TCA_MIRRED_PARMS]) continue;
    if (static_cast<size_t>(nla_len(mir[TCA_MIRRED_PARMS])) < sizeof(tc_mirred)) continue;
    tc_mirred p;
    std::memcpy(&p, nla_data(mir[TCA_MIRRED_PARMS]), sizeof p);
    if (p.eaction == TCA_EGRESS_REDIR) return static_cast<int>(p.ifindex);
  }
  return std::nullopt;
}

void ApplyTc(Env&, BatchSockets& socks, std::vector<Job*>& jobs) {
  struct PendingFilter {
    Job* job;
    NlPipeline* pipe;
    int from, to;
  };
  std::vector<PendingFilter> filters;
  std::map<std::string, std::unique_ptr<NlPipeline>> pipes;
  for (Job* job : jobs) {
    auto target = TcTargetOf(*job, socks, pipes);
    if (!target) continue;
    NlPipeline* pipe = target->pipe;
    const int dev = target->dev;
    if (job->op() != reconciler::Op::kCreate) {
      // Update and delete both start by removing the ingress qdisc, which removes its filters.
      pipe->Add(IngressQdiscRequest(RTM_DELQDISC, 0, dev), [job](const NlReply& r) {
        if (!r.ok() && r.err != ENOENT && r.err != EINVAL) job->Fail(OsError{r.err, "RTM_DELQDISC", r.detail});
      });
      if (job->op() == reconciler::Op::kDelete) continue;
    }
    const std::string to_name = job->res().AttrOr(lr::kRedirectTo);
    auto to = IndexOf(*target->sock, to_name);
    if (!to) {
      job->Fail(to.error());
      continue;
    }
    const int from = dev, to_index = *to;
    pipe->Add(IngressQdiscRequest(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, from), [job](const NlReply& r) {
      // An ingress qdisc already there (one berth created before) serves as well.
      if (!r.ok() && r.err != EEXIST) job->Fail(TcError(r, RTM_NEWQDISC, "sch_ingress"));
    });
    filters.push_back({job, pipe, from, to_index});
  }
  for (auto& [scope, pipe] : pipes) pipe->Run();
  if (!filters.empty()) BERTH_CRASH_POINT("tc.create.qdisc");
  // Filters go in only once every qdisc is there: the first filter on a qdisc younger than one RCU grace
  // period waits for a grace period, while the time spent on the other namespaces' qdiscs lets one pass.
  for (const PendingFilter& f : filters) {
    if (f.job->failed()) continue;
    f.pipe->Add(RedirectFilterRequest(f.from, f.to), [job = f.job](const NlReply& r) {
      if (!r.ok()) job->Fail(TcError(r, RTM_NEWTFILTER, "cls_u32/act_mirred"));
    });
  }
  for (auto& [scope, pipe] : pipes) pipe->Run();
}

}  // namespace berth::drivers::lnx
