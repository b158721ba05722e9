// Rate limits over rtnetlink: berth's tbf as a device's root qdisc. A create first removes a root qdisc of
// berth's handle but another kind (the kernel would refuse to change its kind in place), then creates with
// NLM_F_REPLACE, which grafts over whatever root qdisc someone else put there; an update changes the tbf in
// place (tbf_change: the bucket and queue restart, the device and its traffic stay); a delete restores the
// device's default qdisc.
#include "drivers/linux/tc_shaper.h"

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
#include "drivers/linux/platform/linux_bandwidth.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/snapshot.h"
#include "drivers/linux/tc_redirect.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

tcmsg RootMsg(int index) {
  tcmsg t{};
  t.tcm_family = AF_UNSPEC;
  t.tcm_ifindex = index;
  t.tcm_handle = lr::kShaperHandle;
  t.tcm_parent = TC_H_ROOT;
  return t;
}

std::optional<uint64_t> Number(const std::string& s) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoull(s);
}

}  // namespace

std::optional<ShaperRecord> ParseShaperQdisc(nlmsghdr* h) {
  nlattr* tb[TCA_MAX + 1] = {};
  nlattr* opts[TCA_TBF_MAX + 1] = {};
  auto* t = static_cast<tcmsg*>(NLMSG_DATA(h));
  if (!ParseAttrs(h, sizeof(tcmsg), tb, TCA_MAX)) return std::nullopt;
  if (t->tcm_parent != TC_H_ROOT || t->tcm_handle != lr::kShaperHandle || AttrString(tb[TCA_KIND]) != "tbf")
    return std::nullopt;
  if (!tb[TCA_OPTIONS] || !ParseNested(tb[TCA_OPTIONS], opts, TCA_TBF_MAX) || !opts[TCA_TBF_PARMS] ||
      static_cast<size_t>(nla_len(opts[TCA_TBF_PARMS])) < sizeof(tc_tbf_qopt))
    return std::nullopt;
  tc_tbf_qopt q;
  std::memcpy(&q, nla_data(opts[TCA_TBF_PARMS]), sizeof q);
  ShaperRecord r;
  r.index = t->tcm_ifindex;
  r.rate_bytes = q.rate.rate;
  // sch_tbf dumps TCA_TBF_RATE64 when the rate does not fit the 32-bit field.
  if (opts[TCA_TBF_RATE64] && nla_len(opts[TCA_TBF_RATE64]) >= 8) std::memcpy(&r.rate_bytes, nla_data(opts[TCA_TBF_RATE64]), 8);
  r.buffer_ticks = q.buffer;
  // A peak rate is not something berth sets: report no bucket, so the difference shows as drift.
  if (q.peakrate.rate != 0 || (opts[TCA_TBF_PRATE64] && nla_len(opts[TCA_TBF_PRATE64]) >= 8)) r.buffer_ticks = 0;
  return r;
}

void AddShapers(const std::string& scope, const Snapshot& snap, std::vector<reconciler::Resource>& out) {
  for (const auto& [index, s] : snap.shapers) {
    const LinkRecord* dev = snap.ByIndex(index);
    if (!dev) continue;
    reconciler::Resource r;
    r.key = reconciler::ResourceKey{lr::kQdisc, scope, dev->name};
    r.attrs[lr::kRate] = std::to_string(s.rate_bytes * 8);
    r.attrs[lr::kBurst] = std::to_string(lr::TbfBurstBytes(s.buffer_ticks, s.rate_bytes));
    r.ownership = reconciler::Ownership::kOwned;
    out.push_back(std::move(r));
  }
}

NlMsg ShaperRequest(int flags, int index, uint64_t rate_bytes, uint64_t burst_bytes) {
  tcmsg t = RootMsg(index);
  NlMsg m = NewRequest(RTM_NEWQDISC, flags, &t, sizeof t);
  nl_msg* p = m.get();
  if (!p) return m;
  tc_tbf_qopt q{};
  q.rate.rate = static_cast<uint32_t>(std::min<uint64_t>(rate_bytes, 0xffffffffULL));
  q.rate.linklayer = TC_LINKLAYER_ETHERNET;  // no rate table: the kernel computes from the rate itself
  q.buffer = static_cast<uint32_t>(lr::TbfBufferTicks(burst_bytes, rate_bytes));
  q.limit = lr::TbfLimit(burst_bytes, rate_bytes);
  bool ok = PutStr(p, TCA_KIND, "tbf");
  nlattr* opts = ok ? nla_nest_start(p, TCA_OPTIONS) : nullptr;
  ok = opts && PutBytes(p, TCA_TBF_PARMS, &q, sizeof q);
  if (ok && rate_bytes > 0xffffffffULL) ok = nla_put_u64(p, TCA_TBF_RATE64, rate_bytes) == 0;
  if (!ok) return NlMsg();
  nla_nest_end(p, opts);
  return m;
}

NlMsg ShaperDeleteRequest(int index) {
  tcmsg t = RootMsg(index);
  return NewRequest(RTM_DELQDISC, 0, &t, sizeof t);
}

void ApplyQdiscs(Env&, BatchSockets& socks, std::vector<Job*>& jobs) {
  std::map<std::string, std::unique_ptr<NlPipeline>> pipes;
  for (Job* job : jobs) {
    auto target = TcTargetOf(*job, socks, pipes);
    if (!target) continue;
    NlPipeline* pipe = target->pipe;
    const int dev = target->dev;
    const auto op = job->op();
    if (op != reconciler::Op::kUpdate) {
      // ENOENT/EINVAL: no qdisc of berth's handle at the root, which is what a create expects.
      pipe->Add(ShaperDeleteRequest(dev), [job](const NlReply& r) {
        if (!r.ok() && r.err != ENOENT && r.err != EINVAL) job->Fail(OsError{r.err, "RTM_DELQDISC", r.detail});
      });
      if (op == reconciler::Op::kDelete) continue;
    }
    auto rate = Number(job->res().AttrOr(lr::kRate));
    auto burst = Number(job->res().AttrOr(lr::kBurst));
    if (!rate || !burst || *rate < 8) {
      job->Fail(reconciler::DriverError::Kind::kInvalid, "qdisc needs a rate and a burst");
      continue;
    }
    pipe->Add(ShaperRequest(NLM_F_CREATE | NLM_F_REPLACE, dev, *rate / 8, *burst), [job](const NlReply& r) {
      if (r.ok()) return;
      OsError e{r.err, "RTM_NEWQDISC", r.detail};
      if ((r.err == ENOENT || r.err == EOPNOTSUPP) && e.detail.empty()) e.detail = "sch_tbf not available";
      job->Fail(e);
    });
  }
  for (auto& [scope, pipe] : pipes) pipe->Run();
}

}  // namespace berth::drivers::lnx
