// The executor: runs a plan's steps through a driver, independent steps in parallel batches on a fixed worker
// pool, refilled as soon as any batch finishes, skipping the dependents of a failed step while independent
// branches go on. Book-keeping (and the step reports) lives in PlanTracker.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "reconciler/driver.h"
#include "reconciler/plan.h"
#include "reconciler/plan_tracker.h"  // StepReport, ExecuteReport

namespace berth::reconciler {

struct ExecuteOptions {
  int parallelism = 0;  // concurrent batches (the pool's workers, the calling thread included); 0: cores
  /// Called after each step finishes, for progress output: from whichever worker booked it, never two at once.
  std::function<void(const Step&, const StepReport&)> on_step;
  /// Polled by the workers (never two at once) before they take a batch: once true, batches not yet started
  /// never start and their steps stay pending (SIGTERM in watch mode); running batches finish.
  std::function<bool()> cancelled;
};

ExecuteReport Execute(const Plan& plan, Driver& driver, const ExecuteOptions& options = {});

}  // namespace berth::reconciler
