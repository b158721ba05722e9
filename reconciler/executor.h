// The executor: runs a plan's steps through a driver, independent steps in parallel batches, skipping the
// dependents of a failed step while independent branches go on. Book-keeping (and the step reports) lives in
// PlanTracker.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "reconciler/driver.h"
#include "reconciler/plan.h"
#include "reconciler/plan_tracker.h"  // StepReport, ExecuteReport

namespace berth::reconciler {

struct ExecuteOptions {
  int parallelism = 0;  // concurrent batches; 0: number of cores
  /// Called after each step finishes (from the executor's thread), for progress output.
  std::function<void(const Step&, const StepReport&)> on_step;
  /// Polled between waves: when it returns true, steps not yet started are skipped (SIGTERM in watch mode).
  std::function<bool()> cancelled;
};

ExecuteReport Execute(const Plan& plan, Driver& driver, const ExecuteOptions& options = {});

}  // namespace berth::reconciler
