// One apply transaction, shared by `berth apply` and the watch controller: persist what a crash must not lose,
// execute, re-observe what the steps touched, verify, and record the manifest resources as applied.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/driver.h"
#include "reconciler/executor.h"
#include "reconciler/launch_records.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"
#include "reconciler/state_dir.h"

namespace berth::reconciler {

/// How hard verification tries before a mismatch counts: the kernel may take a moment to release the devices
/// of a deleted netns. One attempt never waits.
struct VerifyPolicy {
  int attempts = 1;
  std::chrono::milliseconds pause{0};  // between attempts
};

struct ApplyOptions {
  ExecuteOptions execute;
  VerifyPolicy verify;
  /// The plan carries the whole desired state (nothing was left out of it): a verified run then makes its
  /// manifest resources the inventory. False when steps were deferred (the controller's backoff).
  bool complete = true;
  /// Called once the steps have run, before re-observing (progress output).
  std::function<void(const ExecuteReport&)> on_executed;
  /// Where the launchers' result files go (reconciler/launch_records.h); nullopt: none are written. Published
  /// after verification, whatever its outcome: converged workloads get their record, the others lose it.
  std::optional<LaunchRecordOptions> launch_records;
};

struct ApplyReport {
  /// Why nothing was executed: the plan is for another platform, or the state directory could not be
  /// read or written.
  std::optional<std::string> refusal;
  ExecuteReport exec;
  std::optional<ObservedState> after;       // the last re-observation; nullopt when it failed or never ran
  std::optional<std::string> observe_error; // the last re-observation's failure
  std::vector<std::string> mismatches;      // verification (only after a clean run); empty when verified
  bool verified = false;                    // a clean run, re-observed, matching the plan
  std::optional<std::string> inventory_error;  // saving the final inventory failed (the apply itself stands)
  std::optional<std::string> records_error;    // writing the launchers' result files failed

  bool ok() const { return !refusal && exec.ok() && verified; }
};

/// Applies a plan with work in it. Before the first step it checks the plan's platform against the driver's
/// and saves the plan's allocations and the inventory merged with the plan's manifest resources (a crash later
/// must neither hand those addresses out again nor call their objects leaks). After the steps it re-observes
/// what they touched (always: callers count what they own) and, when every step was done, verifies it
/// against the plan under `options.verify`. A verified, complete run saves the plan's manifest resources as
/// the inventory. Thread-safety: one call per driver and state directory at a time (hold the ApplyLock).
ApplyReport ApplyPlan(const Platform& platform, const Plan& plan, Driver& driver, const StateDir& state,
                      const ApplyOptions& options = {});

}  // namespace berth::reconciler
