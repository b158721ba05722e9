// MakePlan end to end on the pure core, Verify after apply, the stale-plan check and the JSON round trip.
#include "reconciler/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "drivers/linux/platform/linux_platform.h"
#include "reconciler/plan_json.h"
#include "reconciler/render.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
    manifest_.nats.push_back(testing::MakeNat("nat0", "fcbr0"));
    manifest_.vms.push_back(testing::MakeVm("vm1", "fcbr0"));
    manifest_.vms.push_back(testing::MakeVm("vm2", "fcbr0"));
  }
  Plan MakeFreshPlan(ObservedState observed = {}) {
    PlanInput in;
    in.manifest = &manifest_;
    in.allocations = Allocate(manifest_, {}).allocations;
    in.observed = std::move(observed);
    auto plan = MakePlan(*platform_, std::move(in));
    EXPECT_TRUE(plan.ok());
    return std::move(*plan);
  }
  /// What a host looks like after every step of `plan` succeeded: a key's last step leaves its record.
  static ObservedState Converged(const Plan& plan) {
    std::map<ResourceKey, Resource> objects;
    for (const auto& s : plan.steps) {
      if (s.op == Op::kDelete) continue;
      Resource r = s.resource;
      r.owner = r.provenance.origin();
      r.provenance = {};
      objects.insert_or_assign(s.key(), r);
    }
    ObservedState host;
    for (auto& [key, r] : objects) host.resources.push_back(std::move(r));
    host.Sort();
    return host;
  }

  std::unique_ptr<Platform> platform_ = MakeLinuxPlatform();
  model::Manifest manifest_;
};

TEST_F(PlannerTest, StepsCreateDependenciesFirst) {
  Plan plan = MakeFreshPlan();
  std::map<std::string, int> at;  // a key's first step
  for (const auto& s : plan.steps) at.emplace(s.key().ToString(), s.id);
  EXPECT_LT(at["netns:/berth-vm1"], at["link:berth-vm1/tap0"]);
  EXPECT_LT(at["link:/fcbr0"], at["link:/bv-vm1"]);
  EXPECT_LT(at["link:berth-vm1/tap0"], at["tc:berth-vm1/eth0"]);
  EXPECT_LT(at["nfttable:/berth"], at["nft:/nat/nat0"]);
  EXPECT_EQ(plan.manifest_ids, (std::vector<std::string>{"Bridge/fcbr0", "NAT/nat0", "VM/vm1", "VM/vm2"}));
}

TEST_F(PlannerTest, DevicesTcProgramsComeUpOnlyAfterTheirQdiscs) {
  Plan plan = MakeFreshPlan();
  auto steps_of = [&](const std::string& key) {
    std::vector<const Step*> found;
    for (const auto& s : plan.steps)
      if (s.key().ToString() == key) found.push_back(&s);
    return found;
  };
  const int tc_eth0 = steps_of("tc:berth-vm1/eth0").at(0)->id;
  const int tc_tap0 = steps_of("tc:berth-vm1/tap0").at(0)->id;
  for (const auto& [key, field] : {std::pair{"link:berth-vm1/tap0", "up"}, std::pair{"link:/bv-vm1", "peer_up"}}) {
    auto steps = steps_of(key);
    ASSERT_EQ(steps.size(), 2u) << key;
    EXPECT_EQ(steps[0]->op, Op::kCreate);
    EXPECT_EQ(steps[0]->resource->AttrOr(field), "false") << key;
    EXPECT_EQ(steps[1]->op, Op::kUpdate);
    EXPECT_EQ(steps[1]->fields, std::vector<std::string>{field});
    EXPECT_EQ(steps[1]->resource->AttrOr(field), "true") << key;
    for (int tc : {tc_eth0, tc_tap0}) {
      EXPECT_LT(steps[0]->id, tc) << key;
      EXPECT_TRUE(std::count(steps[1]->depends_on.begin(), steps[1]->depends_on.end(), tc)) << key;
    }
  }
  // The bridge has no qdisc: created up in one step.
  EXPECT_EQ(steps_of("link:/fcbr0").size(), 1u);
}

TEST_F(PlannerTest, VerifyPassesOnTheConvergedHostAndNamesMismatches) {
  Plan plan = MakeFreshPlan();
  ObservedState after = Converged(plan);
  EXPECT_TRUE(Verify(*platform_, plan, after).empty());
  for (auto& r : after.resources)
    if (r.key == ResourceKey{"link", "", "fcbr0"}) r.attrs["up"] = "false";
  auto mismatches = Verify(*platform_, plan, after);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0], "link:/fcbr0: up is \"false\", want \"true\"");
}

TEST_F(PlannerTest, SecondPlanAfterConvergenceIsEmpty) {
  Plan first = MakeFreshPlan();
  Plan second = MakeFreshPlan(Converged(first));
  EXPECT_FALSE(second.HasWork());
  EXPECT_EQ(RenderSummary(second), "No changes. The host matches the manifests.");
}

TEST_F(PlannerTest, SavedPlanRoundTripsThroughJson) {
  Plan plan = MakeFreshPlan();
  auto text = PlanToJson(plan).dump();
  auto back = PlanFromJson(nlohmann::json::parse(text));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(PlanToJson(*back).dump(), text);
  EXPECT_EQ(back->steps.size(), plan.steps.size());
  EXPECT_EQ(back->allocations, plan.allocations);
}

TEST_F(PlannerTest, CorruptSavedPlansAreRejected) {
  auto j = PlanToJson(MakeFreshPlan());
  j["format_version"] = 99;
  EXPECT_FALSE(PlanFromJson(j).ok());
  j = PlanToJson(MakeFreshPlan());
  j["steps"][1]["depends_on"] = {5};
  EXPECT_FALSE(PlanFromJson(j).ok());
  // A change's key comes from its records: one with neither is refused, not read.
  j = PlanToJson(MakeFreshPlan());
  j["changes"][0]["before"] = nullptr;
  j["changes"][0]["after"] = nullptr;
  auto bare = PlanFromJson(j);
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().message.find("neither a before nor an after"), std::string::npos);
}

TEST_F(PlannerTest, StalePlanNamesWhatMoved) {
  Plan first = MakeFreshPlan();
  ObservedState host = Converged(first);
  Plan plan = MakeFreshPlan(host);
  EXPECT_TRUE(DescribeDrift(plan, host).empty());
  host.resources.push_back({{"netns", "", "berth-new"}, {}, Ownership::kOwned, "", {}});
  host.Sort();
  auto moved = DescribeDrift(plan, host);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0], "netns:/berth-new: appeared since the plan was made");
  // Unowned objects elsewhere on the host may come and go without making the plan stale.
  host.resources.push_back({{"link", "", "docker0"}, {{"type", "bridge"}}, Ownership::kUnowned, "", {}});
  host.Sort();
  EXPECT_EQ(DescribeDrift(plan, host).size(), 1u);
}

TEST_F(PlannerTest, PlansAreDeterministic) {
  EXPECT_EQ(PlanToJson(MakeFreshPlan()).dump(), PlanToJson(MakeFreshPlan()).dump());
  EXPECT_EQ(RenderPlanText(MakeFreshPlan()), RenderPlanText(MakeFreshPlan()));
}

TEST_F(PlannerTest, TextGroupsByManifestResourceWithSource) {
  std::string text = RenderPlanText(MakeFreshPlan());
  EXPECT_NE(text.find("# VM/vm1 (test.yaml:1:1)"), std::string::npos) << text;
  EXPECT_NE(text.find("  + link:/bv-vm1  (create"), std::string::npos) << text;
  EXPECT_NE(text.find("Plan: "), std::string::npos);
}

TEST_F(PlannerTest, DestroyRemovesEverythingOwnedDespiteTheGuard) {
  ObservedState host = Converged(MakeFreshPlan());
  PlanInput in;
  in.observed = host;
  in.destroy = true;
  auto plan = MakePlan(*platform_, std::move(in));
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->refusal);
  // Everything inside the netns goes with it: only netns, host-level links, address-free objects get steps.
  for (const auto& s : plan->steps) {
    EXPECT_EQ(s.op, Op::kDelete);
    EXPECT_TRUE(s.key().scope.empty()) << s.key().ToString();
  }
}

}  // namespace
}  // namespace berth::reconciler
