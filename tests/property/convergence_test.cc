// Properties of one apply on a disturbed host: it converges (the next plan is empty, nothing owned is left
// over), it never touches what berth does not own, its order honours every dependency under parallel
// execution, and planning is deterministic.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "reconciler/plan_json.h"
#include "tests/property/scenario.h"

namespace berth::proptest {
namespace {

using Strings = std::vector<std::string>;

RC_GTEST_PROP(Convergence, OneApplyConverges, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  if (p.conflicts) return;  // apply refuses; ConflictsAreReportedAndUntouched covers these
  auto report = h.Apply(p.plan, 2);
  RC_ASSERT(Failures(p.plan, report) == Strings{});
  RC_ASSERT(reconciler::Verify(h.platform(), p.plan, h.Observe()) == Strings{});
  RC_ASSERT(Pending(h.Plan(s.manifest)) == Strings{});
  RC_ASSERT(h.Leftovers(s.manifest) == Strings{});
}

RC_GTEST_PROP(Convergence, UnownedObjectsAreUntouched, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  if (p.conflicts) return;  // apply refuses (a plan with conflicts may hold steps on unowned objects' ground)
  (void)h.Apply(p.plan, 2);
  RC_ASSERT(h.Unowned() == p.unowned_before);
}

RC_GTEST_PROP(Convergence, ConflictsAreReportedAndUntouched, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  for (const auto& c : p.plan.changes.changes) {
    if (c.action != reconciler::ChangeAction::kConflict) continue;
    bool reported = false;
    for (const auto& conflict : p.plan.changes.conflicts) reported |= conflict.key == c.key();
    RC_ASSERT(reported);
  }
  std::set<reconciler::ResourceKey> unowned;
  for (const auto& r : h.Observe().resources)
    if (r.ownership == reconciler::Ownership::kUnowned && !h.platform().IsSetting(r.key)) unowned.insert(r.key);
  for (const auto& step : p.plan.steps) RC_ASSERT(!unowned.count(step.key()));
}

RC_GTEST_PROP(Convergence, ExecutionOrderHonoursDependencies, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  int parallelism = *rc::gen::inRange(1, 5);
  (void)h.Apply(p.plan, parallelism);
  RC_ASSERT(OrderViolations(p.plan, h.host().log()) == Strings{});
  for (const auto& step : p.plan.steps)
    for (int dep : step.depends_on) RC_ASSERT(dep < step.id);
}

RC_GTEST_PROP(Convergence, SameInputSamePlan, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  reconciler::Plan again = h.Plan(s.manifest);
  RC_ASSERT(reconciler::PlanToJson(again).dump() == reconciler::PlanToJson(p.plan).dump());
}

}  // namespace
}  // namespace berth::proptest
