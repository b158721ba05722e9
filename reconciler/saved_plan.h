// A saved plan (`berth plan --out FILE`, then `berth apply FILE`) is input, not trusted code: it crossed a trust
// boundary (CI artifacts). Before the first change, apply re-plans from the file's desired records against the
// host as observed now and runs only what berth itself would do. Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include "model/result.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"

namespace berth::reconciler {

struct SavedPlanCheck {
  MassDeleteGuard guard;                 // apply's own flags, not the file's refusal
  std::vector<std::string> applied_ids;  // the state directory's inventory now
};

/// Re-checks `saved` against `now` and returns the plan to execute: berth's own plan for the file's desired
/// records on the host as observed now, equal step for step to the file's. In order:
/// - every desired record in the file (a change's after, a create or update step) decodes with its kind's
///   codec (Platform::RecordError), so nothing outside berth's grammar reaches a driver;
/// - the desired state is the file's create/update/replace records plus what berth owns now and the file leaves
///   alone, minus what it deletes; the diff, the host checks and the mass-deletion guard (`check.guard`) run on
///   `now`, so ownership is the host's, never the file's, and a conflict or a tripped guard refuses;
/// - the file's steps must equal the re-plan's (operation, key, attributes, fields, dependencies).
/// The error names the step or record and why, e.g. "step 4 (delete link:/br1): link:/br1 is not berth's on
/// this host (unowned); berth never changes or deletes it".
Result<Plan> RecheckSavedPlan(const Platform& platform, const Plan& saved, ObservedState now,
                              const SavedPlanCheck& check);

}  // namespace berth::reconciler
