// A scenario's setup shared by the properties: apply the earlier manifest to a fresh host (which must
// converge), disturb the host, then plan the current manifest.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "tests/property/harness.h"

namespace berth::proptest {

struct Prepared {
  reconciler::Plan plan;
  std::vector<std::string> unowned_before;
  bool conflicts = false;
};

inline Prepared Prepare(Harness& h, const Scenario& s) {
  h.Converge(s.previous);
  h.Disturb(s.disturbances);
  Prepared p;
  p.unowned_before = h.Unowned();
  p.plan = h.Plan(s.manifest);
  p.conflicts = !p.plan.changes.conflicts.empty();
  RC_CLASSIFY(p.conflicts, "conflicts");
  RC_CLASSIFY(p.plan.steps.empty(), "nothing to do");
  std::set<std::string> actions;
  for (const auto& c : p.plan.changes.changes) actions.insert(ToString(c.action));
  for (const char* a : {"replace", "delete", "collect", "update"}) RC_CLASSIFY(actions.count(a) > 0, a);
  return p;
}

/// Failures of an execution, "key: error", for readable assertions.
inline std::vector<std::string> Failures(const reconciler::Plan& plan, const reconciler::ExecuteReport& report) {
  std::vector<std::string> out;
  for (const auto& r : report.steps)
    if (r.error) out.push_back(plan.steps[r.step_id].key().ToString() + ": " + r.error->ToString());
  return out;
}

}  // namespace berth::proptest
