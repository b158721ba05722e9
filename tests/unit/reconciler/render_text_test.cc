// Plan text: a file's key holds its path, which must not read as a URL (other keys print as ResourceKey::ToString);
// the VM heading carries its allocated address and extra routes; apply's count is in the summary's unit.
#include <gtest/gtest.h>

#include "reconciler/render.h"

namespace berth::reconciler {
namespace {

Plan PlanCreating(std::vector<ResourceKey> keys) {
  Plan plan;
  for (auto& key : keys) {
    Change c;
    c.action = ChangeAction::kCreate;
    c.after = Resource{std::move(key), {{"content", "x"}}, Ownership::kOwned, "", {}};
    plan.changes.changes.push_back(std::move(c));
  }
  return plan;
}

TEST(RenderKeys, FilePathsDoNotReadAsUrls) {
  const std::string text = RenderPlanText(PlanCreating({{"file", "", "/etc/netns/berth-vm1/resolv.conf"},
                                                        {"file", "web", "/etc/resolv.conf"},
                                                        {"link", "", "bv-vm1"}}));
  EXPECT_EQ(text.find("file:/"), std::string::npos) << text;
  EXPECT_NE(text.find("  + file /etc/netns/berth-vm1/resolv.conf  (create"), std::string::npos) << text;
  EXPECT_NE(text.find("  + file web:/etc/resolv.conf  (create"), std::string::npos) << text;
  EXPECT_NE(text.find("  + link:/bv-vm1  (create"), std::string::npos) << text;
}

TEST(RenderKeys, TheHeadingShowsAddressAndRoutes) {
  Plan plan = PlanCreating({{"netns", "", "berth-vm1"}});
  Resource r = *plan.changes.changes[0].after;
  r.provenance = Provenance("VM/vm1", {"vm.yaml", 3, 1});
  plan.changes.changes[0].after = r;
  plan.allocations.by_interface["VM/vm1"] =
      Assignment{*model::Cidr4::Parse("10.168.0.2/24"), *model::Mac::Parse("02:00:00:00:00:01"),
                 {{*model::Cidr4::Parse("10.20.0.0/16"), *model::Ipv4::Parse("10.168.0.254"), {}}}};
  const std::string text = RenderPlanText(plan);
  EXPECT_NE(text.find("# VM/vm1 (vm.yaml:3:1), address 10.168.0.2/24, route 10.20.0.0/16 via 10.168.0.254\n"),
            std::string::npos)
      << text;
}

TEST(RenderKeys, ARouteChangeWithoutStepsIsShown) {
  const auto cidr = [](const char* t) { return *model::Cidr4::Parse(t); };
  const auto ip = [](const char* t) { return *model::Ipv4::Parse(t); };
  const model::Mac mac = *model::Mac::Parse("02:00:00:00:00:01");
  Allocations recorded, now;
  recorded.by_interface["VM/vm1"] = Assignment{cidr("10.168.0.2/24"), mac, {{cidr("10.20.0.0/16"), ip("10.168.0.254"), {}}}};
  now.by_interface["VM/vm1"] = Assignment{cidr("10.168.0.2/24"), mac, {{cidr("10.20.0.0/16"), ip("10.168.0.253"), {}}}};
  now.by_interface["VM/vm2"] = Assignment{cidr("10.168.0.3/24"), mac, {{cidr("10.20.0.0/16"), ip("10.168.0.253"), {}}}};
  Plan plan;
  plan.allocations = now;
  RenderOptions options;
  options.recorded = &recorded;
  const std::string text = RenderPlanText(plan, options);
  EXPECT_NE(text.find("~ VM/vm1 routes for its guest: 10.20.0.0/16 via 10.168.0.254 -> 10.20.0.0/16 via 10.168.0.253\n"),
            std::string::npos) << text;
  EXPECT_EQ(text.find("VM/vm2"), std::string::npos) << text;  // not applied before: nothing to compare with
  EXPECT_EQ(RenderPlanText(plan).find("routes"), std::string::npos);
  recorded = now;
  EXPECT_EQ(RenderPlanText(plan, options).find("routes"), std::string::npos);
}

TEST(RenderApplied, CountsChangesAsThePlanSummaryDoesWithTheirSteps) {
  // Two creations, one of them held back (created down, then set up): three steps for two changes.
  Plan plan = PlanCreating({{"link", "berth-vm1", "tap0"}, {"netns", "", "berth-vm1"}});
  Change noop;
  noop.after = Resource{{"link", "", "br0"}, {}, Ownership::kOwned, "", {}};
  plan.changes.changes.push_back(noop);
  plan.steps.resize(3);
  EXPECT_NE(RenderSummary(plan).find("Plan: 2 to create"), std::string::npos) << RenderSummary(plan);
  EXPECT_EQ(RenderApplied(plan, 3, 0, 0), "Applied: 2 change(s) in 3 step(s): 3 done, 0 failed, 0 skipped.");
}

}  // namespace
}  // namespace berth::reconciler
