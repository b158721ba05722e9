// The mass-deletion guard: refuses plans that would delete all or too large a share of the owned workloads.
#include <gtest/gtest.h>

#include "reconciler/plan.h"
#include "tests/unit/reconciler/test_platform.h"

namespace berth::reconciler {
namespace {

using namespace testing;  // NOLINT: test vocabulary

/// A host with `owned` boxes (and one unowned box), and a plan deleting the first `deleted` of them.
Plan PlanDeleting(int owned, int deleted, int replaced = 0) {
  ObservedState basis;
  Changes changes;
  for (int i = 0; i < owned; ++i) {
    Resource box = Res(Box("vm" + std::to_string(i)));
    basis.resources.push_back(box);
    if (i < deleted) changes.Delete(box);
    else if (i < deleted + replaced) changes.Replace(box, box);
  }
  Resource foreign = Res(Box("zz-foreign"));
  foreign.ownership = Ownership::kUnowned;
  basis.resources.push_back(foreign);
  auto plan = BuildPlan(TestPlatform(), changes.Build(), basis);
  return plan.ok() ? *plan : Plan{};
}

TEST(MassDeletion, RefusesDeletingEveryOwnedWorkload) {
  Plan plan = PlanDeleting(1, 1);
  CheckMassDeletion(TestPlatform(), MassDeleteGuard{}, plan);
  ASSERT_TRUE(plan.refusal);
  EXPECT_NE(plan.refusal->find("1 of 1"), std::string::npos) << *plan.refusal;
  EXPECT_NE(plan.refusal->find("--allow-mass-delete"), std::string::npos);
}

TEST(MassDeletion, RefusesMoreThanTheShare) {
  Plan plan = PlanDeleting(10, 6);
  CheckMassDeletion(TestPlatform(), MassDeleteGuard{}, plan);
  ASSERT_TRUE(plan.refusal);
  EXPECT_NE(plan.refusal->find("6 of 10"), std::string::npos) << *plan.refusal;
}

TEST(MassDeletion, AcceptsUpToTheShare) {
  Plan plan = PlanDeleting(10, 5);
  CheckMassDeletion(TestPlatform(), MassDeleteGuard{}, plan);
  EXPECT_FALSE(plan.refusal);
}

TEST(MassDeletion, ReplacementsAreNotRemovals) {
  Plan plan = PlanDeleting(4, 1, 3);
  CheckMassDeletion(TestPlatform(), MassDeleteGuard{}, plan);
  EXPECT_FALSE(plan.refusal);
}

TEST(MassDeletion, AllowFlagLetsItThrough) {
  Plan plan = PlanDeleting(3, 3);
  CheckMassDeletion(TestPlatform(), MassDeleteGuard{0.5, true}, plan);
  EXPECT_FALSE(plan.refusal);
}

TEST(MassDeletion, NothingOwnedNothingRefused) {
  Plan plan = PlanDeleting(0, 0);
  CheckMassDeletion(TestPlatform(), MassDeleteGuard{}, plan);
  EXPECT_FALSE(plan.refusal);
}

}  // namespace
}  // namespace berth::reconciler
