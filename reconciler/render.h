// Rendering of plans and observations for people: Terraform-like text and Graphviz DOT. Renderers never compute
// what to do; they print what the plan says.
#pragma once

#include <string>

#include "reconciler/plan.h"

namespace berth::reconciler {

struct RenderOptions {
  bool color = false;       // ANSI colours (on a TTY)
  bool show_commands = false;  // the host commands of every step, in execution order (plan --show-commands)
  bool destroy = false;        // a destroy plan: worded as such (it takes no manifests)
  /// The allocations in force (the state directory's): a VM's routes that differ from the plan's are printed,
  /// since only its guest holds them and no step shows the change. Null: nothing printed.
  const Allocations* recorded = nullptr;
};

/// The plan grouped by manifest resource: "+ create", "~ update", "-/+ replace", "- delete", "- collect (leak)",
/// "! conflict", with field-level before -> after and the file:line that caused each change, then a summary.
std::string RenderPlanText(const Plan& plan, const RenderOptions& options = {});

/// One line: "Plan: 3 to create, 1 to update, 0 to replace, 0 to delete, 2 to collect." or "No changes."
std::string RenderSummary(const Plan& plan);
/// What apply did, in the plan summary's unit (changes) with the steps they took: "Applied: 14 change(s) in 16
/// step(s): 16 done, 0 failed, 0 skipped." One change may take several steps (a device created down, then up).
std::string RenderApplied(const Plan& plan, int done, int failed, int skipped);

/// The plan's steps and dependencies as a Graphviz digraph.
std::string RenderPlanDot(const Plan& plan);

}  // namespace berth::reconciler
