// Packet rates over rtnetlink: berth's u32 match-all filter with a police action (act_police's packet rate).
// A create replaces whatever holds berth's priority on the ingress hook, then sets the action's parameters by
// its index (the filter may have bound to an action of that index left behind); an update replaces only the
// action's parameters (tcf_police_init with replace: the filter, the redirect and the devices stay); a delete
// removes the filter, and the action it holds goes with it.
#include "drivers/linux/tc_police.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "drivers/linux/apply.h"
#include "drivers/linux/platform/linux_police.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/snapshot.h"
#include "drivers/linux/tc_redirect.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

constexpr uint32_t kContinue = static_cast<uint32_t>(TC_ACT_UNSPEC);  // tc's "continue": on to the next filter

tcmsg FilterMsg(int index) {
  tcmsg t{};
  t.tcm_family = AF_UNSPEC;
  t.tcm_ifindex = index;
  t.tcm_parent = kIngressHandle;
  t.tcm_info = TC_H_MAKE(static_cast<uint32_t>(lr::kPolicePrio) << 16, htons(ETH_P_ALL));
  return t;
}

/// The police action's attributes (inside TCA_ACT_OPTIONS).
bool PutPolice(nl_msg* p, uint32_t action_index, uint64_t pps, uint64_t burst_packets) {
  tc_police parm{};
  parm.index = action_index;
  parm.action = TC_ACT_SHOT;  // over the rate: dropped
  nlattr* opts = nla_nest_start(p, TCA_ACT_OPTIONS);
  bool ok = opts && PutBytes(p, TCA_POLICE_TBF, &parm, sizeof parm) && PutU32(p, TCA_POLICE_RESULT, kContinue) &&
            nla_put_u64(p, TCA_POLICE_PKTRATE64, pps) == 0 &&
            nla_put_u64(p, TCA_POLICE_PKTBURST64, lr::PoliceBurstTicks(burst_packets, pps)) == 0;
  if (ok) nla_nest_end(p, opts);
  return ok;
}

std::optional<uint64_t> Number(const std::string& s) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoull(s);
}

uint64_t U64(nlattr* a) {
  uint64_t v = 0;
  if (a && nla_len(a) >= 8) std::memcpy(&v, nla_data(a), 8);
  return v;
}

/// A police action's options: the record, or nullopt when it has no packet rate (then it is not berth's).
std::optional<PoliceRecord> ParsePolice(nlattr* options) {
  nlattr* pol[TCA_POLICE_MAX + 1] = {};
  if (!options || !ParseNested(options, pol, TCA_POLICE_MAX) || !pol[TCA_POLICE_TBF] ||
      static_cast<size_t>(nla_len(pol[TCA_POLICE_TBF])) < sizeof(tc_police) || !pol[TCA_POLICE_PKTRATE64] ||
      !pol[TCA_POLICE_PKTBURST64])
    return std::nullopt;
  tc_police parm;
  std::memcpy(&parm, nla_data(pol[TCA_POLICE_TBF]), sizeof parm);
  PoliceRecord r;
  r.action_index = parm.index;
  r.pps = U64(pol[TCA_POLICE_PKTRATE64]);
  r.burst_ticks = U64(pol[TCA_POLICE_PKTBURST64]);
  const uint32_t result = pol[TCA_POLICE_RESULT] && nla_len(pol[TCA_POLICE_RESULT]) >= 4
                              ? nla_get_u32(pol[TCA_POLICE_RESULT]) : static_cast<uint32_t>(TC_ACT_OK);
  // act_police dumps an unset MTU as ~0.
  r.exact = parm.action == TC_ACT_SHOT && result == kContinue && parm.rate.rate == 0 && parm.peakrate.rate == 0 &&
            (parm.mtu == 0 || parm.mtu == ~0U) && !pol[TCA_POLICE_RATE64] && !pol[TCA_POLICE_PEAKRATE64] &&
            !pol[TCA_POLICE_AVRATE];
  return r;
}

}  // namespace

void ScanPoliceFilter(nlmsghdr* h, PoliceFilterScan& scan) {
  auto* t = static_cast<tcmsg*>(NLMSG_DATA(h));
  if (h->nlmsg_type != RTM_NEWTFILTER || (TC_H_MAJ(t->tcm_info) >> 16) != lr::kPolicePrio) return;
  nlattr* tb[TCA_MAX + 1] = {};
  nlattr* u32[TCA_U32_MAX + 1] = {};
  if (!ParseAttrs(h, sizeof(tcmsg), tb, TCA_MAX) || AttrString(tb[TCA_KIND]) != "u32" ||
      TC_H_MIN(t->tcm_info) != htons(ETH_P_ALL) || !tb[TCA_OPTIONS] || !ParseNested(tb[TCA_OPTIONS], u32, TCA_U32_MAX)) {
    scan.foreign = true;
    return;
  }
  if (!u32[TCA_U32_SEL] && !u32[TCA_U32_ACT]) return;  // the hash table's own entry
  bool berth = u32[TCA_U32_SEL] && u32[TCA_U32_ACT] && !u32[TCA_U32_POLICE];
  if (berth) {
    // A match-all selector: every key masked out.
    auto* sel = static_cast<tc_u32_sel*>(nla_data(u32[TCA_U32_SEL]));
    const size_t len = static_cast<size_t>(nla_len(u32[TCA_U32_SEL]));
    berth = len >= sizeof(tc_u32_sel) && sizeof(tc_u32_sel) + sel->nkeys * sizeof(tc_u32_key) <= len;
    for (unsigned i = 0; berth && i < sel->nkeys; ++i) berth = sel->keys[i].mask == 0;
  }
  std::optional<PoliceRecord> record;
  int actions = 0;
  if (berth) {
    nlattr* a;
    int rem;
    nla_for_each_nested(a, u32[TCA_U32_ACT], rem) {
      ++actions;
      nlattr* act[TCA_ACT_MAX + 1] = {};
      if (ParseNested(a, act, TCA_ACT_MAX) && AttrString(act[TCA_ACT_KIND]) == "police")
        record = ParsePolice(act[TCA_ACT_OPTIONS]);
    }
  }
  if (!berth || actions != 1 || !record) {
    scan.foreign = true;
    return;
  }
  ++scan.berth_nodes;
  scan.record = *record;
}

void AddPolicers(const std::string& scope, const Snapshot& snap, std::vector<reconciler::Resource>& out) {
  for (const auto& [index, p] : snap.police) {
    const LinkRecord* dev = snap.ByIndex(index);
    if (!dev || lr::PoliceIndexOf(dev->name) != p.action_index) continue;
    reconciler::Resource r;
    r.key = reconciler::ResourceKey{lr::kPolice, scope, dev->name};
    r.attrs[lr::kPktRate] = std::to_string(p.pps);
    r.attrs[lr::kPktBurst] = p.exact ? std::to_string(lr::PoliceBurstPackets(p.burst_ticks, p.pps)) : "0";
    r.ownership = reconciler::Ownership::kOwned;
    out.push_back(std::move(r));
  }
}

NlMsg PoliceFilterRequest(int index, uint32_t action_index, uint64_t pps, uint64_t burst_packets) {
  tcmsg t = FilterMsg(index);
  NlMsg m = NewRequest(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof t);
  nl_msg* p = m.get();
  if (!p) return m;
  alignas(tc_u32_sel) unsigned char sel[sizeof(tc_u32_sel) + sizeof(tc_u32_key)] = {};
  tc_u32_sel head{};
  head.flags = TC_U32_TERMINAL;
  head.nkeys = 1;  // value 0 under mask 0 at offset 0: every packet
  std::memcpy(sel, &head, sizeof head);
  bool ok = PutStr(p, TCA_KIND, "u32");
  nlattr* opts = ok ? nla_nest_start(p, TCA_OPTIONS) : nullptr;
  ok = opts && PutBytes(p, TCA_U32_SEL, sel, sizeof sel);
  nlattr* acts = ok ? nla_nest_start(p, TCA_U32_ACT) : nullptr;
  nlattr* act = acts ? nla_nest_start(p, 1) : nullptr;
  ok = act && PutStr(p, TCA_ACT_KIND, "police") && PutPolice(p, action_index, pps, burst_packets);
  if (!ok) return NlMsg();
  nla_nest_end(p, act);
  nla_nest_end(p, acts);
  nla_nest_end(p, opts);
  return m;
}

NlMsg PoliceFilterDeleteRequest(int index) {
  tcmsg t = FilterMsg(index);
  // Protocol 0: whatever holds the priority, whichever protocol it matches (the kernel refuses a delete, and
  // then a create, at a priority whose filter has another protocol than the one named).
  t.tcm_info = TC_H_MAKE(static_cast<uint32_t>(lr::kPolicePrio) << 16, 0);
  return NewRequest(RTM_DELTFILTER, 0, &t, sizeof t);
}

NlMsg PoliceActionRequest(uint32_t action_index, uint64_t pps, uint64_t burst_packets) {
  tcamsg t{};
  t.tca_family = AF_UNSPEC;
  NlMsg m = NewRequest(RTM_NEWACTION, NLM_F_CREATE | NLM_F_REPLACE, &t, sizeof t);
  nl_msg* p = m.get();
  if (!p) return m;
  nlattr* tab = nla_nest_start(p, TCA_ACT_TAB);
  nlattr* act = tab ? nla_nest_start(p, 1) : nullptr;
  if (!act || !PutStr(p, TCA_ACT_KIND, "police") || !PutPolice(p, action_index, pps, burst_packets)) return NlMsg();
  nla_nest_end(p, act);
  nla_nest_end(p, tab);
  return m;
}

void ApplyPolice(Env&, BatchSockets& socks, std::vector<Job*>& jobs) {
  std::map<std::string, std::unique_ptr<NlPipeline>> pipes;
  auto fail = [](Job* job, const char* op) {
    return [job, op](const NlReply& r) {
      if (r.ok()) return;
      OsError e{r.err, op, r.detail};
      // The kernel names neither a missing act_police nor a missing packet rate (before 5.14) clearly.
      if ((r.err == ENOENT || r.err == EOPNOTSUPP) && e.detail.empty())
        e.detail = "act_police with a packet rate (kernel 5.14+, CONFIG_NET_ACT_POLICE) not available";
      job->Fail(e);
    };
  };
  for (Job* job : jobs) {
    auto target = TcTargetOf(*job, socks, pipes);
    if (!target) continue;
    NlPipeline* pipe = target->pipe;
    const int dev = target->dev;
    const auto op = job->op();
    auto index = lr::PoliceIndexOf(job->key().name);
    if (!index) {
      job->Fail(reconciler::DriverError::Kind::kInvalid, "berth polices only a VM's tap0 and eth0");
      continue;
    }
    if (op != reconciler::Op::kUpdate) {
      // ENOENT/EINVAL: nothing holds berth's priority, which is what a create expects.
      pipe->Add(PoliceFilterDeleteRequest(dev), [job](const NlReply& r) {
        if (!r.ok() && r.err != ENOENT && r.err != EINVAL) job->Fail(OsError{r.err, "RTM_DELTFILTER", r.detail});
      });
      if (op == reconciler::Op::kDelete) continue;
    }
    auto pps = Number(job->res().AttrOr(lr::kPktRate));
    auto burst = Number(job->res().AttrOr(lr::kPktBurst));
    if (!pps || !burst || *pps == 0 || *burst == 0) {
      job->Fail(reconciler::DriverError::Kind::kInvalid, "police needs a pkt_rate and a pkt_burst");
      continue;
    }
    if (op == reconciler::Op::kUpdate) {
      pipe->Add(PoliceActionRequest(*index, *pps, *burst), fail(job, "RTM_NEWACTION"));
      continue;
    }
    // Only once the filter holds the action: a failed filter leaves no action behind in the netns.
    pipe->Add(PoliceFilterRequest(dev, *index, *pps, *burst),
              [job, pipe, fail, index = *index, pps = *pps, burst = *burst](const NlReply& r) {
                if (!r.ok()) return fail(job, "RTM_NEWTFILTER")(r);
                pipe->Add(PoliceActionRequest(index, pps, burst), fail(job, "RTM_NEWACTION"));
              });
  }
  for (auto& [scope, pipe] : pipes) pipe->Run();
}

}  // namespace berth::drivers::lnx
