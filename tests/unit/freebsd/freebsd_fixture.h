// Helpers for FreeBSD tests: a simulated host with the FreeBSD driver and platform, and one reconcile pass as
// the CLI makes it (allocate, observe, plan, explain; execute; verify).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "drivers/freebsd/explain.h"
#include "drivers/freebsd/freebsd_driver.h"
#include "drivers/freebsd/platform/freebsd_platform.h"
#include "drivers/freebsd/sim/sim_host.h"
#include "model/load.h"
#include "reconciler/executor.h"
#include "reconciler/planner.h"
#include "reconciler/platform.h"

namespace berth::drivers::freebsd::testing {

inline model::Manifest LoadManifestDir(const std::string& relative) {
  auto loaded = model::LoadManifests({std::string(BERTH_SOURCE_DIR) + "/" + relative});
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

inline std::string Steps(const reconciler::Plan& plan) {
  std::string out;
  for (const auto& s : plan.steps) out += std::string(reconciler::ToString(s.op)) + " " + s.key().ToString() + "\n";
  for (const auto& c : plan.changes.conflicts) out += "conflict: " + c.message + "\n";
  return out;
}

inline std::string Failures(const reconciler::Plan& plan, const reconciler::ExecuteReport& report) {
  std::string out;
  for (const auto& r : report.steps)
    if (r.outcome == reconciler::StepOutcome::kFailed)
      out += plan.steps[r.step_id].key().ToString() + ": " + (r.error ? r.error->ToString() : "?") + "\n";
  return out;
}

/// A simulated FreeBSD host with berth's state directory kept in memory.
class Host {
 public:
  Host() : driver(MakeFreeBsdDriver(sim)), platform(reconciler::MakeFreeBsdPlatform()) {}
  explicit Host(sim::SimState state) : sim(std::move(state)), driver(MakeFreeBsdDriver(sim)),
                                       platform(reconciler::MakeFreeBsdPlatform()) {}

  /// The plan for `manifest` (nullptr: destroy everything owned), with commands.
  reconciler::Plan Plan(const model::Manifest* manifest) {
    reconciler::PlanInput input;
    input.manifest = manifest;
    input.destroy = manifest == nullptr;
    if (manifest) {
      auto alloc = reconciler::Allocate(*manifest, allocations);
      for (const auto& d : alloc.diagnostics) ADD_FAILURE() << d.ToString();
      input.allocations = alloc.allocations;
    }
    auto observed = driver->Observe({});
    EXPECT_TRUE(observed.ok()) << (observed.ok() ? "" : observed.error().ToString());
    if (observed.ok()) input.observed = *observed;
    input.guard.allow = true;
    input.applied_ids = applied;
    auto plan = reconciler::MakePlan(*platform, std::move(input));
    EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
    if (!plan.ok()) return {};
    auto explained = ExplainPlan(*plan);
    EXPECT_TRUE(explained.ok()) << (explained.ok() ? "" : explained.error().message);
    return std::move(*plan);
  }

  /// Executes a plan as berth apply does: state first, then the steps.
  reconciler::ExecuteReport Apply(const reconciler::Plan& plan) {
    allocations = plan.allocations;
    applied.insert(applied.end(), plan.manifest_ids.begin(), plan.manifest_ids.end());
    std::sort(applied.begin(), applied.end());
    applied.erase(std::unique(applied.begin(), applied.end()), applied.end());
    reconciler::ExecuteOptions options;
    options.parallelism = 2;
    return reconciler::Execute(plan, *driver, options);
  }

  std::vector<std::string> Verify(const reconciler::Plan& plan) {
    auto after = driver->Observe(reconciler::ObserveRequest::AfterApply());
    if (!after.ok()) return {"observe: " + after.error().ToString()};
    return reconciler::Verify(*platform, plan, *after);
  }

  /// Plans, applies and verifies; returns false (with failures recorded) when anything went wrong.
  bool Converge(const model::Manifest* manifest) {
    auto plan = Plan(manifest);
    if (!plan.changes.conflicts.empty()) {
      ADD_FAILURE() << "conflicts:\n" << Steps(plan);
      return false;
    }
    auto report = Apply(plan);
    if (!report.ok()) {
      ADD_FAILURE() << "apply failed:\n" << Failures(plan, report) << "plan:\n" << Steps(plan);
      return false;
    }
    auto mismatches = Verify(plan);
    for (const auto& m : mismatches) ADD_FAILURE() << "verify: " << m;
    if (manifest) applied = plan.manifest_ids;
    return mismatches.empty();
  }

  sim::SimFreeBsd sim;
  std::unique_ptr<reconciler::Driver> driver;
  std::unique_ptr<reconciler::Platform> platform;
  reconciler::Allocations allocations;
  std::vector<std::string> applied;
};

/// Every command of the plan's steps, one per line, words separated by spaces (each followed by one).
inline std::string Commands(const reconciler::Plan& plan) {
  std::string out;
  for (const auto& s : plan.steps)
    for (const auto& c : s.commands) {
      for (const auto& w : c.argv) out += w + " ";
      out += "\n";
    }
  return out;
}

/// The jid of the live jail `name`, 0 without one. A jail made again gets a new jid: the witness that it was.
inline int JidOf(const Host& host, const std::string& name) {
  for (const auto& [jid, jail] : host.sim.state().jails)
    if (jail.name == name && !jail.dying) return jid;
  return 0;
}

}  // namespace berth::drivers::freebsd::testing
