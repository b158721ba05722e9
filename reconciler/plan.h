// The plan as plain, serialisable data: the changes (what and why) and the steps that carry them out, in a
// deterministic dependency order, plus the observation it was computed from (to refuse a stale saved plan).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/result.h"
#include "reconciler/diff.h"
#include "reconciler/driver.h"
#include "reconciler/ipam.h"
#include "reconciler/platform.h"

namespace berth::reconciler {

inline constexpr int kPlanFormatVersion = 1;

/// One host command a step runs, for platforms whose driver works through commands (FreeBSD): the exact argv
/// (never a shell string) and what it reads on stdin ("" for nothing). A "<N>" inside an argument stands for
/// the unit number the kernel picks in an earlier "ifconfig epair|bridge create" of the same step (see
/// docs/freebsd.md). Filled at plan time so an operator can read precisely what apply will do.
struct StepCommand {
  std::vector<std::string> argv;
  std::string input;
  friend bool operator==(const StepCommand&, const StepCommand&) = default;
};

struct Step {
  int id = 0;  // index in Plan::steps; steps are in a valid execution order
  Op op = Op::kCreate;
  Shared<Resource> resource;       // desired for create/update, observed for delete; shared with its change
  std::vector<std::string> fields; // attributes an update changes
  Shared<Resource> before;         // for an update: the observed record it changes (not written to plan JSON)
  std::vector<int> depends_on;     // step ids that must finish first (all lower than id), sorted
  Provenance provenance;           // manifest resource and file:line; for collection the tag's origin
  std::vector<StepCommand> commands;  // the host commands it runs, in order; empty where the driver uses no commands

  const ResourceKey& key() const { return resource->key; }
};

struct MassDeleteGuard {
  double max_share = 0.5;       // refuse when more than this share of owned workloads would go
  bool allow = false;           // --allow-mass-delete
};

struct Plan {
  int format_version = kPlanFormatVersion;
  std::string platform;
  ChangeSet changes;              // including no-ops, conflicts and warnings
  std::vector<Step> steps;
  ObservedState basis;            // the observation the plan was computed from
  Allocations allocations;        // addresses and MACs the plan assumes; persisted before the first action
  std::vector<std::string> manifest_ids;  // the manifest resources the plan converges to (the next inventory)
  std::optional<std::string> refusal;  // set when apply must not run (mass deletion, ...)

  bool HasWork() const { return !steps.empty(); }
};

/// Builds the steps from a change set: creations in dependency order, deletions in reverse, a replacement
/// deletes its dependents first and recreates them after; resources removed with their container get no step.
/// A dependency cycle is an error naming every member of the cycle.
Result<Plan> BuildPlan(const Platform& platform, ChangeSet changes, ObservedState basis);

/// Applies the mass-deletion guard to a built plan (sets plan.refusal when it trips).
void CheckMassDeletion(const Platform& platform, const MassDeleteGuard& guard, Plan& plan);

}  // namespace berth::reconciler
