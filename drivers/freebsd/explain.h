// The FreeBSD driver's one source of truth for what an action does to the host: the exact argv vectors, in
// order. `berth plan` shows them and the driver runs exactly them, so what an operator reads is what runs.
// Pure: a function of the action alone (desired record for create and update, observed one for delete).
#pragma once

#include <string>
#include <vector>

#include "model/result.h"
#include "reconciler/driver.h"
#include "reconciler/plan.h"

namespace berth::drivers::freebsd {

/// The placeholder for the unit the kernel picks in "ifconfig epair create" / "ifconfig bridge create": the
/// command prints the new name (epair7a, bridge3), and "<N>" in the step's later arguments stands for its unit.
inline constexpr std::string_view kUnitPlaceholder = "<N>";

/// The commands of one action. Errors: a value that must not reach an argv (see argv_check.h), or a record
/// missing what its kind needs.
Result<std::vector<reconciler::StepCommand>> Explain(const reconciler::Action& action);

/// Fills Step::commands of every step of a FreeBSD plan. Errors name the step.
Status<> ExplainPlan(reconciler::Plan& plan);

}  // namespace berth::drivers::freebsd
