// The executor: runs a plan's steps through a driver, independent steps in parallel batches, skipping the
// dependents of a failed step while independent branches go on. Book-keeping lives in PlanTracker.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "reconciler/driver.h"
#include "reconciler/plan.h"

namespace berth::reconciler {

enum class StepOutcome { kPending, kDone, kFailed, kSkipped };

struct StepReport {
  int step_id = 0;
  StepOutcome outcome = StepOutcome::kPending;
  std::optional<DriverError> error;  // kFailed
  int blocked_by = -1;               // kSkipped: the failed step upstream
};

struct ExecuteOptions {
  int parallelism = 0;  // concurrent batches; 0: number of cores
  /// Called after each step finishes (from the executor's thread), for progress output.
  std::function<void(const Step&, const StepReport&)> on_step;
  /// Polled between waves: when it returns true, steps not yet started are skipped (SIGTERM in watch mode).
  std::function<bool()> cancelled;
};

struct ExecuteReport {
  std::vector<StepReport> steps;  // indexed by step id
  int done = 0, failed = 0, skipped = 0;
  int not_started = 0;  // left pending because the run was cancelled
  bool ok() const { return failed == 0 && skipped == 0 && not_started == 0; }
};

ExecuteReport Execute(const Plan& plan, Driver& driver, const ExecuteOptions& options = {});

}  // namespace berth::reconciler
