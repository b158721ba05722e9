// The reconcile pass of berth watch. Each pass: observe, plan (with the core's guard), leave out what is in
// backoff or too young to collect, apply (ApplyPlan: persist state, execute, verify), book failures.
#include "reconciler/controller.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "reconciler/apply.h"
#include "reconciler/crash_point.h"
#include "reconciler/executor.h"
#include "reconciler/planner.h"

namespace berth::reconciler {
namespace {

bool Terminal(const DriverError& e) {
  return e.kind == DriverError::Kind::kNotSupported || e.kind == DriverError::Kind::kInvalid ||
         e.kind == DriverError::Kind::kPermission;
}

std::string WithProvenance(const std::string& what, const Provenance& p) {
  std::string text = what;
  if (!p.origin().empty()) text += " [" + p.origin() + (p.span().known() ? " at " + p.span().ToString() : "") + "]";
  return text;
}

void CountOwned(const ObservedState& observed, PassReport& report) {
  for (const auto& r : observed.resources)
    if (r.ownership != Ownership::kUnowned) report.owned_by_kind[r.key.kind]++;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseTagTime(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

std::string FormatTagTime(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Plan WithoutSteps(const Plan& plan, const std::vector<int>& drop) {
  std::vector<bool> dropped(plan.steps.size(), false);
  for (int id : drop) dropped[id] = true;
  for (const auto& s : plan.steps)  // depends_on only names earlier steps: one forward sweep is transitive
    for (int d : s.depends_on)
      if (dropped[d]) dropped[s.id] = true;
  Plan out = plan;
  out.steps.clear();
  std::vector<int> renumber(plan.steps.size(), -1);
  for (const auto& s : plan.steps) {
    if (dropped[s.id]) continue;
    Step copy = s;
    copy.id = int(out.steps.size());
    renumber[s.id] = copy.id;
    copy.depends_on.clear();
    for (int d : s.depends_on) copy.depends_on.push_back(renumber[d]);
    out.steps.push_back(std::move(copy));
  }
  return out;
}

Controller::Controller(const Platform& platform, Driver& driver, StateDir state_dir, ControllerOptions options)
    : platform_(platform), driver_(driver), state_dir_(std::move(state_dir)), options_(options) {}

void Controller::SetManifest(model::Manifest manifest) {
  manifest_ = std::move(manifest);
  manifest_changed_ = true;
  std::erase_if(backoff_, [](const auto& entry) { return entry.second.terminal; });
}

std::vector<int> Controller::Deferred(const Plan& plan, const PassClock& clock, PassReport& report) const {
  std::set<ResourceKey> conflicted;
  for (const auto& c : plan.changes.conflicts)
    if (c.key) conflicted.insert(*c.key);
  std::map<ResourceKey, const Change*> change_of;
  for (const auto& c : plan.changes.changes) change_of[c.key()] = &c;

  std::vector<int> drop;
  for (const auto& s : plan.steps) {
    bool defer = false;
    // One VM's conflict (its name held by something foreign) must not stop the others: leave out what needs it.
    for (const auto& dep : platform_.DependenciesOf(s.resource)) defer = defer || conflicted.count(dep);
    if (auto b = backoff_.find(s.key()); b != backoff_.end() && (b->second.terminal || b->second.until > clock.steady)) {
      defer = true;
      if (!b->second.terminal && (!report.retry_at || b->second.until < *report.retry_at)) report.retry_at = b->second.until;
    }
    const Change* c = change_of.count(s.key()) ? change_of.at(s.key()) : nullptr;
    if (c && c->action == ChangeAction::kCollect && c->before) {
      if (auto created = ParseTagTime(c->before->AttrOr(kCreatedAttr))) {
        auto ripe = *created + options_.gc_grace;
        if (ripe > clock.wall) {
          defer = true;
          auto at = clock.steady + std::chrono::duration_cast<std::chrono::steady_clock::duration>(ripe - clock.wall);
          if (!report.retry_at || at < *report.retry_at) report.retry_at = at;
        }
      }
    }
    if (defer) drop.push_back(s.id);
  }
  return drop;
}

void Controller::BookResults(const Plan& plan, const ExecuteReport& exec, const PassClock& clock, PassReport& report) {
  std::map<ResourceKey, ChangeAction> action_of;
  for (const auto& c : plan.changes.changes) action_of[c.key()] = c.action;
  for (const auto& r : exec.steps) {
    const Step& s = plan.steps[r.step_id];
    if (r.outcome == StepOutcome::kDone) {
      backoff_.erase(s.key());
      ChangeAction a = action_of.count(s.key()) ? action_of[s.key()] : ChangeAction::kNoOp;
      if (a == ChangeAction::kCollect && s.op == Op::kDelete) ++report.collected;
      if (!manifest_changed_ && s.op != Op::kDelete) ++report.repairs;
    } else if (r.outcome == StepOutcome::kFailed && r.error) {
      Backoff& b = backoff_[s.key()];
      b.terminal = Terminal(*r.error);
      auto delay = options_.backoff_base * (1LL << std::min(b.failures, 20));
      b.until = clock.steady + std::min<std::chrono::milliseconds>(delay, options_.backoff_cap);
      ++b.failures;
      if (!b.terminal && (!report.retry_at || b.until < *report.retry_at)) report.retry_at = b.until;
      report.errors.push_back(WithProvenance(r.error->ToString() + (b.terminal ? " (not retried)" : ""), s.provenance));
    }
  }
}

PassReport Controller::Pass(const PassClock& clock, const std::function<bool()>& cancelled,
                            const std::optional<HostChanges>& changes) {
  PassReport report;
  if (!manifest_) return report;
  auto persisted = state_dir_.LoadAllocations();
  auto inventory = state_dir_.LoadInventory();
  if (!persisted || !inventory) {
    report.errors.push_back(!persisted ? persisted.error().message : inventory.error().message);
    return report;
  }
  AllocateResult allocated = Allocate(*manifest_, *persisted);
  for (const auto& d : allocated.diagnostics) report.errors.push_back(d.ToString());
  if (model::HasErrors(allocated.diagnostics)) return report;

  ObserveRequest request;
  request.launch_facts = manifest_->LaunchesVms();  // spares a KVM probe that could take seconds
  if (changes) {
    request.changed_scopes = changes->scopes;
    request.firewall_changed = changes->firewall;
  }
  auto observed = driver_.Observe(request);
  if (!observed) {
    report.errors.push_back("observing the host failed: " + observed.error().ToString());
    return report;
  }
  report.observed = true;
  PlanInput input{&*manifest_, std::move(allocated.allocations), std::move(*observed), options_.guard, false, *inventory};
  auto planned = MakePlan(platform_, std::move(input));
  if (!planned) {
    report.errors.push_back(planned.error().message);
    return report;
  }
  Plan& plan = *planned;
  for (const auto& c : plan.changes.conflicts) {
    report.errors.push_back(WithProvenance("conflict: " + c.message, c.provenance));
    if (!c.key) report.refusal = "conflict: " + c.message;  // host-wide (a missing kernel feature)
  }
  if (plan.refusal) report.refusal = plan.refusal;
  if (report.refusal) return report;

  std::vector<int> drop = Deferred(plan, clock, report);
  Plan runnable = WithoutSteps(plan, drop);
  report.deferred = int(plan.steps.size() - runnable.steps.size());

  bool inventory_saved = false;
  std::optional<std::string> inventory_error;
  if (runnable.HasWork()) {
    ApplyOptions apply;
    apply.execute.parallelism = options_.parallelism;
    apply.execute.cancelled = cancelled;
    apply.complete = report.errors.empty() && report.deferred == 0;  // only then is the plan the whole state
    apply.launch_records = options_.launch_records;
    ApplyReport applied = ApplyPlan(platform_, runnable, driver_, state_dir_, apply);  // never retries verify
    if (applied.refusal) {
      report.errors.push_back(*applied.refusal);
      return report;
    }
    const ExecuteReport& exec = applied.exec;
    report.applied = exec.done;
    report.failed = exec.failed;
    report.skipped = exec.skipped + exec.not_started;
    BookResults(runnable, exec, clock, report);
    // A failed or skipped step is reported already and retried with backoff; only a clean run is verified.
    if (applied.observe_error) {
      report.errors.push_back("re-observing the host failed: " + *applied.observe_error);
    } else {
      for (const auto& m : applied.mismatches) report.errors.push_back("verification: " + m);
      if (applied.after) CountOwned(*applied.after, report);
    }
    inventory_error = applied.inventory_error;
    inventory_saved = true;  // by ApplyPlan, when the pass converged
    if (applied.records_error) report.errors.push_back(*applied.records_error);
  } else {
    CountOwned(plan.basis, report);
    // Nothing to do on the host, but an allocation may have moved (a full-mode VM's fixed address).
    if (auto saved = state_dir_.RecordAllocations(plan.allocations); !saved) report.errors.push_back(saved.error().message);
    // Nothing to run: the records follow the host as observed (a workload whose steps wait in backoff has none).
    if (options_.launch_records)
      if (auto published = PublishLaunchRecords(platform_, runnable, &runnable.basis, *options_.launch_records);
          !published)
        report.errors.push_back(published.error().message);
  }
  report.converged = report.errors.empty() && report.deferred == 0 && report.failed == 0 && report.skipped == 0;
  if (report.converged) {
    manifest_changed_ = false;
    if (!inventory_saved)
      if (auto saved = state_dir_.SaveInventory(plan.manifest_ids); !saved) inventory_error = saved.error().message;
  }
  if (inventory_error) report.errors.push_back(*inventory_error);
  return report;
}

}  // namespace berth::reconciler
