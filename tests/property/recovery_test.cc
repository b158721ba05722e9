// Properties of interrupted applies: a failure or a crash at any action, then a restart and a second apply,
// leaves the host converged with nothing of berth's leaked.
#include <cerrno>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "drivers/sim/faulty_driver.h"
#include "tests/property/scenario.h"

namespace berth::proptest {
namespace {

using Strings = std::vector<std::string>;

void SecondApplyConverges(Harness& h, const Scenario& s) {
  h.Converge(s.manifest, 2);
  RC_ASSERT(Pending(h.Plan(s.manifest)) == Strings{});
  RC_ASSERT(h.Leftovers(s.manifest) == Strings{});
}

RC_GTEST_PROP(Recovery, FailureAtAnyActionThenReapplyConverges, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  if (p.conflicts || p.plan.steps.empty()) return;
  const int k = *rc::gen::inRange<int>(0, int(p.plan.steps.size()));
  const int err = *rc::gen::element(EIO, EBUSY, ENOMEM);
  drivers::sim::FaultyDriver faulty(h.host(), k, err);
  auto report = h.Apply(p.plan, *rc::gen::inRange(1, 4), &faulty);
  RC_ASSERT(report.failed == 1);
  SecondApplyConverges(h, s);
}

RC_GTEST_PROP(Recovery, CrashAtAnyActionThenRestartConverges, (const Scenario& s)) {
  Harness h;
  Prepared p = Prepare(h, s);
  if (p.conflicts || p.plan.steps.empty()) return;
  const int k = *rc::gen::inRange<int>(0, int(p.plan.steps.size()));
  h.host().InjectCrash(k);
  auto report = h.Apply(p.plan, *rc::gen::inRange(1, 4));
  RC_ASSERT(!report.ok());
  RC_ASSERT(h.host().crashed());
  h.host().Restart();
  SecondApplyConverges(h, s);
}

}  // namespace
}  // namespace berth::proptest
