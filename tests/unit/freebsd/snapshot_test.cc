// Planning a FreeBSD host from a saved observation (berth show -o json), without any driver: what
// `berth plan --platform freebsd --observed FILE` does on Linux, so a jail host's plan can be reviewed in a
// Git pipeline. The snapshot is of the simulated host after applying examples/manifests/iocage.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "drivers/freebsd/explain.h"
#include "drivers/freebsd/platform/freebsd_platform.h"
#include "reconciler/plan_json.h"
#include "reconciler/planner.h"
#include "tests/unit/freebsd/freebsd_fixture.h"

namespace berth::drivers::freebsd::testing {
namespace {

reconciler::ObservedState Snapshot() {
  std::ifstream in(std::string(BERTH_SOURCE_DIR) + "/tests/freebsd/snapshots/iocage-applied.json");
  auto j = nlohmann::json::parse(in, nullptr, false);
  EXPECT_FALSE(j.is_discarded());
  auto observed = reconciler::ObservedFromJson(j["observed"]);
  EXPECT_TRUE(observed.ok());
  return observed.ok() ? *observed : reconciler::ObservedState{};
}

reconciler::Plan PlanAgainst(const model::Manifest& m, reconciler::ObservedState observed) {
  auto platform = reconciler::MakeFreeBsdPlatform();
  reconciler::PlanInput input;
  input.manifest = &m;
  input.allocations = reconciler::Allocate(m, {}).allocations;
  input.observed = std::move(observed);
  input.guard.allow = true;
  auto plan = reconciler::MakePlan(*platform, std::move(input));
  EXPECT_TRUE(plan.ok());
  EXPECT_TRUE(ExplainPlan(*plan).ok());
  return std::move(*plan);
}

TEST(FreeBsdSnapshot, TheAppliedHostNeedsNothing) {
  const model::Manifest m = LoadManifestDir("examples/manifests/iocage");
  auto plan = PlanAgainst(m, Snapshot());
  EXPECT_FALSE(plan.HasWork()) << Steps(plan);
  EXPECT_TRUE(plan.changes.conflicts.empty()) << Steps(plan);
}

TEST(FreeBsdSnapshot, AnotherManifestPlansWithItsCommandsInTheJson) {
  const model::Manifest m = LoadManifestDir("examples/manifests/freebsd-vnet");
  auto plan = PlanAgainst(m, Snapshot());
  ASSERT_TRUE(plan.HasWork());
  // The iocage jails go (jail -r, then their epairs' host ends), the web jail comes.
  auto j = reconciler::PlanToJson(plan);
  std::string all;
  for (const auto& step : j["steps"])
    for (const auto& cmd : step["commands"]) all += cmd["argv"].dump() + "\n";
  EXPECT_NE(all.find(R"(["jail","-r","www1"])"), std::string::npos) << all;
  EXPECT_NE(all.find(R"(["ifconfig","bj6faa9d80a","destroy"])"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("vnet.interface=bj9e649cd0b")"), std::string::npos) << all;
  // And the commands survive a saved plan.
  auto back = reconciler::PlanFromJson(j);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->steps.size(), plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) EXPECT_EQ(back->steps[i].commands, plan.steps[i].commands);
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
