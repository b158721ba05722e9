// The property tests' world: a simulated host, the Linux platform, and berth's apply loop as the CLI runs it
// (allocations and the inventory of applied manifest resources carried from run to run, as the state
// directory would), plus the disturbances of generators.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/sim/sim_host.h"
#include "reconciler/executor.h"
#include "reconciler/planner.h"
#include "tests/property/generators.h"

namespace berth::proptest {

class Harness {
 public:
  Harness();

  /// Observes the host and plans `manifest` (the mass-deletion guard allowed: scenarios remove freely).
  reconciler::Plan Plan(const model::Manifest& manifest);
  /// Runs a plan through `driver` (the sim itself unless given) with the inventory bookkeeping of `apply`.
  reconciler::ExecuteReport Apply(const reconciler::Plan& plan, int parallelism = 1,
                                  reconciler::Driver* driver = nullptr);
  /// Plan and apply; the plan has no conflicts and every step succeeds, or the property fails.
  void Converge(const model::Manifest& manifest, int parallelism = 1);
  void Disturb(const std::vector<Disturbance>& disturbances);

  /// The unowned objects on the host, each in full ("key owner {attr=value ...}"); host settings aside, as
  /// berth turns those on.
  std::vector<std::string> Unowned();
  /// Owned or marked objects on the host that `manifest` does not want.
  std::vector<std::string> Leftovers(const model::Manifest& manifest);
  reconciler::ObservedState Observe();

  drivers::sim::SimHost& host() { return host_; }
  const reconciler::Platform& platform() const { return *platform_; }

 private:
  drivers::sim::SimHost host_;
  std::unique_ptr<reconciler::Platform> platform_;
  reconciler::Allocations allocations_;
  std::vector<std::string> inventory_;
};

/// Names "step N op key" of steps whose dependency did not finish earlier in the host's log; empty if none.
std::vector<std::string> OrderViolations(const reconciler::Plan& plan, const std::vector<drivers::sim::SimLogEntry>& log);
/// "key: action (fields)" of every change that is not a no-op; empty when the plan is converged.
std::vector<std::string> Pending(const reconciler::Plan& plan);

}  // namespace berth::proptest
