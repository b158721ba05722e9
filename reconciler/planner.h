// One reconcile pass as a library call: manifests + allocations + observation in, plan out. Shared by
// `berth plan`, `berth apply`, `berth destroy` and the watch loop, so they can never plan differently.
#pragma once

#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"

namespace berth::reconciler {

struct PlanInput {
  const model::Manifest* manifest = nullptr;  // null with destroy
  Allocations allocations;                    // from Allocate()
  ObservedState observed;
  MassDeleteGuard guard;
  bool destroy = false;  // desire nothing: every owned object goes
  std::vector<std::string> applied_ids;  // manifest resources applied before (StateDir::LoadInventory)
};

/// The ids ("Kind/name") of a manifest's resources, sorted.
std::vector<std::string> ManifestIdsOf(const model::Manifest& manifest);

/// Expands, diffs, orders and guards. Errors: a dependency cycle (naming its members).
Result<Plan> MakePlan(const Platform& platform, PlanInput input);

/// After apply: re-observed state against what each step promised. Every mismatch names the object and field,
/// e.g. "link:/fcbr0: mtu is 1500, want 9000"; an object still present after its delete is a mismatch too.
std::vector<std::string> Verify(const Platform& platform, const Plan& plan, const ObservedState& after);

/// The stale-plan check for a saved plan: what moved between the plan's basis and the host now. Compares owned
/// records, unowned records under the names the plan touches, and the facts its checks used; empty when
/// nothing moved. Unrelated unowned objects (another tool's interfaces) may come and go.
std::vector<std::string> DescribeDrift(const Plan& plan, const ObservedState& now);

}  // namespace berth::reconciler
