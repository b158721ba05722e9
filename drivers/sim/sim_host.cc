// SimHost: dispatches actions to the per-kind kernel rules one at a time under a lock, injects failures and
// crashes by arrival index, and records what it received.
#include "drivers/sim/sim_host.h"

#include <algorithm>
#include <cerrno>

#include "drivers/sim/sim_state.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::sim {
namespace {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file
using reconciler::Op;
using reconciler::Ownership;

std::optional<DriverError> Dispatch(SimState& s, const Action& a, Marking marking, bool retag) {
  const std::string& kind = a.resource.key.kind;
  if (kind == kLink) {
    switch (a.op) {
      case Op::kCreate: return CreateLink(s, a, marking);
      case Op::kUpdate: return UpdateLink(s, a, retag);
      case Op::kDelete: return DeleteLink(s, a);
    }
  }
  if (kind == kNetns) return ApplyNetns(s, a);
  if (kind == kAddr) return ApplyAddr(s, a);
  if (kind == kTc) return ApplyTc(s, a);
  if (kind == kQdisc) return ApplyQdisc(s, a);
  if (kind == kNftTable || kind == kNft) return ApplyNft(s, a);
  if (kind == kSysctl || kind == kFile) return ApplySetting(s, a);
  if (kind == kVmProc) return ApplyVmProc(s, a);
  return SysError(a, EOPNOTSUPP, "unknown kind " + kind);
}

Action ActionOn(Op op, Resource r) {
  Action a;
  a.op = op;
  a.resource = std::move(r);
  return a;
}

}  // namespace

SimHost::SimHost() : state_(std::make_unique<SimState>()) {
  SimLink lo;
  lo.type = "loopback";
  lo.up = true;
  lo.mtu = 65536;
  lo.mac = "00:00:00:00:00:00";
  lo.addresses.insert("127.0.0.1/8");
  SimLink eth0;
  eth0.type = "device";
  eth0.up = true;
  eth0.mac = "52:54:00:12:34:56";
  eth0.addresses.insert("192.0.2.10/24");
  state_->netns[""].links["lo"] = std::move(lo);
  state_->netns[""].links["eth0"] = std::move(eth0);
  state_->sysctls["net.ipv4.ip_forward"] = "0";
}

SimHost::~SimHost() = default;

Result<reconciler::ObservedState, DriverError> SimHost::Observe(const reconciler::ObserveRequest& request) {
  std::lock_guard lock(mutex_);
  reconciler::ObservedState observed = ObserveState(*state_);
  if (!request.host_facts) {
    observed.facts = {};
    return observed;
  }
  auto& facts = observed.facts;
  facts.foreign_networks.insert(facts.foreign_networks.end(), extra_facts_.foreign_networks.begin(),
                                extra_facts_.foreign_networks.end());
  facts.interfaces.insert(facts.interfaces.end(), extra_facts_.interfaces.begin(), extra_facts_.interfaces.end());
  facts.addresses.insert(facts.addresses.end(), extra_facts_.addresses.begin(), extra_facts_.addresses.end());
  std::sort(facts.addresses.begin(), facts.addresses.end());
  facts.missing_features = extra_facts_.missing_features;
  facts.foreign_drop_chains = extra_facts_.foreign_drop_chains;
  facts.launch_blockers = extra_facts_.launch_blockers;
  return observed;
}

reconciler::ApplyResponse SimHost::Apply(const reconciler::ApplyRequest& request) {
  reconciler::ApplyResponse response;
  response.results.reserve(request.actions.size());
  for (const Action& action : request.actions) response.results.push_back({action.step_id, ApplyOne(action)});
  return response;
}

std::optional<DriverError> SimHost::ApplyOne(const Action& action) {
  std::lock_guard lock(mutex_);
  const int64_t index = sequence_++;
  std::optional<DriverError> error;
  if (crash_at_ && *crash_at_ == index) {
    crash_at_.reset();
    crashed_ = true;
    // The crash falls between the two requests of a link create: the mark is there, the tag is not.
    if (action.resource.key.kind == kLink && action.op == Op::kCreate) (void)CreateLink(*state_, action, Marking::kGroupOnly);
  }
  if (crashed_) {
    error = DriverError{DriverError::Kind::kCrashed, reconciler::ToString(action.op), action.resource.key, 0,
                        "berth crashed (simulated)"};
  } else if (fail_at_ && *fail_at_ == index) {
    fail_at_.reset();
    error = SysError(action, fail_errno_, "injected failure");
  } else {
    error = Dispatch(*state_, action, Marking::kTag, true);
  }
  if (recording_) log_.push_back({index, action.step_id, action.op, action.resource.key, error});
  return error;
}

std::optional<DriverError> SimHost::Seed(const Resource& r, Ownership ownership) {
  std::lock_guard lock(mutex_);
  if (r.key.kind == kSysctl) {
    state_->sysctls[r.key.name] = r.AttrOr(kValue);
    return std::nullopt;
  }
  Marking marking = ownership == Ownership::kOwned    ? Marking::kTag
                    : ownership == Ownership::kMarked ? Marking::kGroupOnly
                                                      : Marking::kNone;
  return Dispatch(*state_, ActionOn(Op::kCreate, r), marking, false);
}

std::optional<DriverError> SimHost::Mutate(const ResourceKey& key, const std::string& attr, const std::string& value) {
  std::lock_guard lock(mutex_);
  reconciler::ObservedState observed = ObserveState(*state_);
  const Resource* current = observed.Find(key);
  if (!current) return SysError(ActionOn(Op::kUpdate, Resource{key, {}, {}, {}, {}}), ENOENT, "no such object");
  Resource changed = *current;
  changed.attrs[attr] = value;
  if (value.empty()) changed.attrs.erase(attr);
  Action action = ActionOn(Op::kUpdate, changed);
  action.fields = {attr};
  return Dispatch(*state_, action, Marking::kNone, false);
}

std::optional<DriverError> SimHost::Remove(const ResourceKey& key) {
  std::lock_guard lock(mutex_);
  reconciler::ObservedState observed = ObserveState(*state_);
  const Resource* current = observed.Find(key);
  if (!current) return SysError(ActionOn(Op::kDelete, Resource{key, {}, {}, {}, {}}), ENOENT, "no such object");
  return Dispatch(*state_, ActionOn(Op::kDelete, *current), Marking::kNone, false);
}

void SimHost::AddFacts(const reconciler::HostFacts& facts) {
  std::lock_guard lock(mutex_);
  auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  append(extra_facts_.foreign_networks, facts.foreign_networks);
  append(extra_facts_.interfaces, facts.interfaces);
  append(extra_facts_.addresses, facts.addresses);
  append(extra_facts_.missing_features, facts.missing_features);
  append(extra_facts_.foreign_drop_chains, facts.foreign_drop_chains);
  extra_facts_.launch_blockers.insert(facts.launch_blockers.begin(), facts.launch_blockers.end());
}

void SimHost::InjectFailure(int64_t k, int sys_errno) {
  std::lock_guard lock(mutex_);
  fail_at_ = sequence_ + k;
  fail_errno_ = sys_errno;
}

void SimHost::InjectCrash(int64_t k) {
  std::lock_guard lock(mutex_);
  crash_at_ = sequence_ + k;
}

void SimHost::Restart() {
  std::lock_guard lock(mutex_);
  crashed_ = false;
  crash_at_.reset();
}

bool SimHost::crashed() const {
  std::lock_guard lock(mutex_);
  return crashed_;
}

std::vector<SimLogEntry> SimHost::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

void SimHost::ClearLog() {
  std::lock_guard lock(mutex_);
  log_.clear();
}

void SimHost::set_recording(bool on) {
  std::lock_guard lock(mutex_);
  recording_ = on;
}

int64_t SimHost::actions_seen() const {
  std::lock_guard lock(mutex_);
  return sequence_;
}

}  // namespace berth::drivers::sim
