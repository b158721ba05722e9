// BuildPlan: step ordering rules (dependencies, inverted deletes, replacement, containment), cycles, determinism.
#include "reconciler/plan.h"

#include <gtest/gtest.h>

#include "tests/unit/reconciler/test_platform.h"

namespace berth::reconciler {
namespace {

using namespace testing;  // NOLINT: test vocabulary

/// "op key <- deps" per step, e.g. "create node:/b <- 0".
std::vector<std::string> Lines(const Plan& plan) {
  std::vector<std::string> out;
  for (const Step& s : plan.steps) {
    std::string line = std::string(ToString(s.op)) + " " + s.key().ToString();
    if (!s.depends_on.empty()) line += " <-";
    for (int d : s.depends_on) line += " " + std::to_string(d);
    out.push_back(line);
  }
  return out;
}

Plan MustBuild(const ChangeSet& changes) {
  auto plan = BuildPlan(TestPlatform(), changes, {});
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().message);
  return plan.ok() ? *plan : Plan{};
}

using Strings = std::vector<std::string>;

TEST(BuildPlan, CreatesFollowTheirDependenciesTiesByKey) {
  auto changes = Changes()
                     .Create(Res(Node("a"), {{"needs", "c"}}))
                     .Create(Res(Node("b")))
                     .Create(Res(Node("c")))
                     .Build();
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"create node:/b", "create node:/c", "create node:/a <- 1"}));
}

TEST(BuildPlan, DeletesGoBeforeWhatTheyNeeded) {
  auto changes = Changes().Delete(Res(Node("a"))).Collect(Res(Node("b"), {{"needs", "a"}})).Build();
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"delete node:/b", "delete node:/a <- 0"}));
}

TEST(BuildPlan, NoOpsAndConflictsGetNoStep) {
  auto changes = Changes().NoOp(Res(Node("a"))).Create(Res(Node("b"), {{"needs", "a"}})).Build();
  Change conflict;
  conflict.action = ChangeAction::kConflict;
  conflict.after = Res(Node("c"));
  changes.changes.push_back(conflict);
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"create node:/b"}));
}

TEST(BuildPlan, ReplacementDeletesDependentsFirstAndRecreatesThemAfter) {
  // a is replaced (type changed); b depends on a and is marked Replace by the diff.
  auto changes = Changes()
                     .Replace(Res(Node("a"), {{"type", "x"}}), Res(Node("a"), {{"type", "y"}}))
                     .Replace(Res(Node("b"), {{"needs", "a"}}), Res(Node("b"), {{"needs", "a"}}))
                     .Build();
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{
                                           "delete node:/b",
                                           "delete node:/a <- 0",
                                           "create node:/a <- 1",
                                           "create node:/b <- 0 2",
                                       }));
}

TEST(BuildPlan, UpdateOrderedAgainstCreatesAndDeletes) {
  // c moves from old to new: new is created before the update, old deleted after it.
  auto changes = Changes()
                     .Create(Res(Node("new")))
                     .Delete(Res(Node("old")))
                     .Update(Res(Node("c"), {{"needs", "old"}}), Res(Node("c"), {{"needs", "new"}}), {"needs"})
                     .Build();
  Plan plan = MustBuild(changes);
  EXPECT_EQ(Lines(plan), (Strings{"create node:/new", "update node:/c <- 0", "delete node:/old <- 1"}));
  EXPECT_EQ(plan.steps[1].fields, Strings{"needs"});
}

TEST(BuildPlan, ContentsGoWithTheirContainer) {
  auto changes = Changes()
                     .Delete(Res(Box("vm1")))
                     .Delete(Res(Node("inside"), {{"in", "vm1"}}))
                     .With(Box("vm1"))
                     .Build();
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"delete box:/vm1"}));
}

TEST(BuildPlan, ReplacedContainerRecreatesContentsAfterIt) {
  // The diff turns what lived in a replaced container into creates that went with it.
  Change inside;
  inside.action = ChangeAction::kCreate;
  inside.before = Res(Node("inside"), {{"in", "vm1"}});
  inside.after = Res(Node("inside"), {{"in", "vm1"}});
  inside.removed_with = Box("vm1");
  auto changes = Changes().Replace(Res(Box("vm1"), {{"type", "a"}}), Res(Box("vm1"), {{"type", "b"}})).Build();
  changes.changes.push_back(inside);
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"delete box:/vm1", "create box:/vm1 <- 0", "create node:/inside <- 0 1"}));
}

TEST(BuildPlan, CreateOfAKeyFollowsItsRemovalWithAContainer) {
  // A replacement whose old object goes with a deleted container: only the create, after the container.
  auto changes = Changes()
                     .Delete(Res(Box("old")))
                     .Replace(Res(Node("n"), {{"in", "old"}}), Res(Node("n")))
                     .With(Box("old"))
                     .Build();
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"delete box:/old", "create node:/n <- 0"}));
}

TEST(BuildPlan, DependenciesOutsideThePlanAreIgnored) {
  auto changes = Changes().Create(Res(Node("a"), {{"needs", "elsewhere"}})).Build();
  EXPECT_EQ(Lines(MustBuild(changes)), (Strings{"create node:/a"}));
}

TEST(BuildPlan, StepsCarryResourceAndProvenance) {
  auto changes = Changes().Create(Res(Node("a"), {{"x", "1"}}, "VM/vm1")).Collect(Res(Node("b"), {}, "VM/gone")).Build();
  changes.changes[0].after.Edit([](Resource& r) { r.provenance = Provenance(r.provenance.origin(), model::SourceSpan{"vm1.yaml", 3, 1}); });
  Plan plan = MustBuild(changes);
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].resource->attrs.at("x"), "1");
  EXPECT_EQ(plan.steps[0].provenance, (Provenance{"VM/vm1", {"vm1.yaml", 3, 1}}));
  EXPECT_EQ(plan.steps[1].provenance, (Provenance{"VM/gone", {}}));
  EXPECT_EQ(plan.platform, "test");
}

TEST(BuildPlan, CycleIsAnErrorNamingEveryMember) {
  auto changes = Changes()
                     .Create(Res(Node("a"), {{"needs", "c"}}))
                     .Create(Res(Node("b"), {{"needs", "a"}}))
                     .Create(Res(Node("c"), {{"needs", "b"}}))
                     .Create(Res(Node("d")))
                     .Build();
  auto plan = BuildPlan(TestPlatform(), changes, {});
  ASSERT_FALSE(plan.ok());
  const std::string& message = plan.error().message;
  for (const char* member : {"node:/a", "node:/b", "node:/c"}) EXPECT_NE(message.find(member), std::string::npos);
  EXPECT_EQ(message.find("node:/d"), std::string::npos);
  EXPECT_NE(message.find("create node:/a -> create node:/b -> create node:/c -> create node:/a"), std::string::npos)
      << message;
}

TEST(BuildPlan, SameInputGivesTheSamePlan) {
  Changes c;
  for (int i = 0; i < 30; ++i) {
    std::string needs = i % 3 ? "n" + std::to_string(i / 2) : "";
    c.Create(Res(Node("n" + std::to_string(i)), {{"needs", needs}}));
  }
  for (int i = 0; i < 10; ++i) c.Delete(Res(Node("old" + std::to_string(i)), {{"needs", "old" + std::to_string(i / 2)}}));
  auto changes = c.Build();
  Plan first = MustBuild(changes);
  Plan second = MustBuild(changes);
  EXPECT_EQ(Lines(first), Lines(second));
  for (const Step& s : first.steps)
    for (int d : s.depends_on) EXPECT_LT(d, s.id);
}

}  // namespace
}  // namespace berth::reconciler
