// The netns applier. Deleting namespaces unmounts them all, then waits until the host ends of their veths
// are gone: the kernel tears dropped namespaces down asynchronously, in one batch, which is far cheaper than
// deleting each veth (every unregistration waits for an RCU grace period). Waiting keeps "the step is done"
// meaning "the names are free again", so a VM can be recreated under the same names in the same apply.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <set>
#include <thread>

#include "drivers/linux/apply.h"
#include "drivers/linux/netns_record.h"
#include "drivers/linux/snapshot.h"
#include "drivers/linux/platform/linux_names.h"
#include "reconciler/crash_point.h"

namespace berth::drivers::lnx {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kVethTeardownWait = std::chrono::seconds(3);
constexpr auto kPoll = std::chrono::milliseconds(2);

/// Host veths whose peers live in the namespaces `names` (before they are unmounted).
std::vector<int> HostEndsOf(Env& env, NlSocket& host, const std::vector<std::string>& names) {
  std::set<int> nsids;
  for (const auto& name : names) {
    auto fd = env.netns.Open(name);
    if (!fd) continue;
    if (auto id = NsidOf(host, fd->get()); id && *id >= 0) nsids.insert(*id);
  }
  std::vector<int> ends;
  if (nsids.empty()) return ends;
  auto snap = ReadSnapshot(host, SnapshotOptions{.addrs = false, .tc = false, .routes = false});
  if (!snap) return ends;
  for (const auto& l : snap->links) {
    if (l.kind == "veth" && l.link_netnsid && nsids.count(*l.link_netnsid)) ends.push_back(l.index);
  }
  return ends;
}

/// Waits until none of `ends` exists; deletes those still there at the deadline (something else keeps their
/// namespace alive, e.g. a process still running in it).
void AwaitGone(NlSocket& host, std::vector<int> ends) {
  const auto deadline = Clock::now() + kVethTeardownWait;
  while (!ends.empty()) {
    auto snap = ReadSnapshot(host, SnapshotOptions{.addrs = false, .tc = false, .routes = false});
    if (!snap) return;
    std::erase_if(ends, [&](int index) { return snap->ByIndex(index) == nullptr; });
    if (ends.empty() || Clock::now() > deadline) break;
    std::this_thread::sleep_for(kPoll);
  }
  NlPipeline pipe(host);
  for (int index : ends) {
    ifinfomsg del{};
    del.ifi_family = AF_UNSPEC;
    del.ifi_index = index;
    pipe.Add(NewRequest(RTM_DELLINK, 0, &del, sizeof del), [](const NlReply&) {});
  }
  pipe.Run();
}

void DeleteAll(Env& env, BatchSockets& socks, std::vector<Job*>& jobs) {
  std::vector<std::string> names;
  for (Job* j : jobs) names.push_back(j->key().name);
  auto host = socks.Get("");
  std::vector<int> ends = host ? HostEndsOf(env, **host, names) : std::vector<int>{};
  for (Job* job : jobs) {
    auto st = env.netns.Delete(job->key().name);
    if (!st && st.error().err != ENOENT) job->Fail(st.error());  // already gone: done
  }
  if (host) AwaitGone(**host, std::move(ends));
}

/// The berth- namespaces on the host now (what a first record starts from).
std::vector<std::string> PresentBerthNetns(Env& env) {
  std::vector<std::string> names;
  if (auto entries = env.netns.List())
    for (const auto& e : *entries)
      if (e.name.starts_with(reconciler::linux_res::kNetnsPrefix)) names.push_back(e.name);
  return names;
}

/// Records the namespaces about to be created before any is: a failure to record fails them all, uncreated.
void RecordCreations(Env& env, std::vector<Job*>& jobs) {
  if (!env.options.record_netns) return;
  std::vector<std::string> add;
  for (Job* job : jobs)
    if (job->op() == reconciler::Op::kCreate && !job->failed()) add.push_back(job->key().name);
  if (add.empty()) return;
  if (auto st = UpdateNetnsRecord(env.options.state_dir, add, {}, PresentBerthNetns(env)); !st) {
    for (Job* job : jobs)
      if (job->op() == reconciler::Op::kCreate)
        job->Fail(reconciler::DriverError::Kind::kOther, "recording the netns in the state directory: " + st.error().message);
    return;
  }
  BERTH_CRASH_POINT("netns.create.recorded");
}

void ForgetDeletions(Env& env, const std::vector<Job*>& deletes) {
  if (!env.options.record_netns || deletes.empty()) return;
  std::vector<std::string> gone;
  for (const Job* job : deletes)
    if (!job->failed()) gone.push_back(job->key().name);
  // Best effort: a name left recorded for a namespace that is gone is harmless and dropped at the next update.
  (void)UpdateNetnsRecord(env.options.state_dir, {}, gone, PresentBerthNetns(env));
}

}  // namespace

void ApplyNetns(Env& env, BatchSockets& socks, std::vector<Job*>& jobs) {
  std::vector<Job*> deletes;
  for (Job* job : jobs) {
    const std::string& name = job->key().name;
    if (!job->key().scope.empty() || name.empty() || name.find('/') != std::string::npos || name[0] == '.')
      job->Fail(reconciler::DriverError::Kind::kInvalid, "not a namespace name");
  }
  RecordCreations(env, jobs);
  for (Job* job : jobs) {
    if (job->failed()) continue;
    const std::string& name = job->key().name;
    switch (job->op()) {
      case reconciler::Op::kCreate:
        if (auto st = env.netns.Create(name); !st) job->Fail(st.error());
        break;
      case reconciler::Op::kUpdate:
        break;  // a namespace has no attributes
      case reconciler::Op::kDelete:
        if (!name.starts_with(reconciler::linux_res::kNetnsPrefix)) {
          job->Fail(reconciler::DriverError::Kind::kPermission,
                    "not berth's (no " + std::string(reconciler::linux_res::kNetnsPrefix) + " prefix)");
        } else {
          deletes.push_back(job);
        }
        break;
    }
  }
  if (!deletes.empty()) DeleteAll(env, socks, deletes);
  ForgetDeletions(env, deletes);
}

}  // namespace berth::drivers::lnx
