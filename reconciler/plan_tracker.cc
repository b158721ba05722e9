// PlanTracker: counts unmet dependencies per step and releases steps as their dependencies finish.
#include "reconciler/plan_tracker.h"

#include <algorithm>

namespace berth::reconciler {

PlanTracker::PlanTracker(const Plan& plan)
    : dependents_(plan.steps.size()),
      unmet_(plan.steps.size(), 0),
      phase_(plan.steps.size(), Phase::kWaiting),
      reports_(plan.steps.size()) {
  for (const Step& step : plan.steps) {
    reports_[step.id].step_id = step.id;
    for (int dep : step.depends_on) {
      dependents_[dep].push_back(step.id);
      ++unmet_[step.id];
    }
  }
  for (const Step& step : plan.steps)
    if (unmet_[step.id] == 0) {
      phase_[step.id] = Phase::kReady;
      ready_.push_back(step.id);
    }
}

std::vector<int> PlanTracker::TakeReady() {
  std::vector<int> out;
  out.swap(ready_);
  std::sort(out.begin(), out.end());
  for (int id : out) phase_[id] = Phase::kRunning;
  running_ += int(out.size());
  return out;
}

void PlanTracker::Finish(int id, StepOutcome outcome) {
  if (phase_[id] == Phase::kRunning) --running_;
  phase_[id] = Phase::kFinished;
  reports_[id].outcome = outcome;
  ++finished_;
}

void PlanTracker::MarkDone(int id) {
  Finish(id, StepOutcome::kDone);
  for (int next : dependents_[id])
    if (--unmet_[next] == 0 && phase_[next] == Phase::kWaiting) {
      phase_[next] = Phase::kReady;
      ready_.push_back(next);
    }
}

std::vector<int> PlanTracker::MarkFailed(int id, DriverError error) {
  Finish(id, StepOutcome::kFailed);
  reports_[id].error = std::move(error);
  // Everything below the failure is skipped, transitively; a step already skipped by an earlier failure
  // keeps that cause. Dependents cannot be running: they wait for this step.
  std::vector<int> skipped;
  std::vector<int> work = dependents_[id];
  while (!work.empty()) {
    int next = work.back();
    work.pop_back();
    if (phase_[next] != Phase::kWaiting) continue;
    Finish(next, StepOutcome::kSkipped);
    reports_[next].blocked_by = id;
    skipped.push_back(next);
    work.insert(work.end(), dependents_[next].begin(), dependents_[next].end());
  }
  std::sort(skipped.begin(), skipped.end());
  return skipped;
}

ExecuteReport PlanTracker::TakeReport() {
  ExecuteReport report;
  report.steps = std::move(reports_);
  for (const StepReport& r : report.steps) {
    if (r.outcome == StepOutcome::kDone) ++report.done;
    if (r.outcome == StepOutcome::kFailed) ++report.failed;
    if (r.outcome == StepOutcome::kSkipped) ++report.skipped;
  }
  return report;
}

}  // namespace berth::reconciler
