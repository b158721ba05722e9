// A saved Linux plan is re-checked on the host as observed now (reconciler/saved_plan.h), in memory on the
// simulator: berth's own plans pass through JSON and back unchanged; edited ones are refused with the reason.
#include "reconciler/saved_plan.h"

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/sim/sim_host.h"
#include "reconciler/plan_json.h"
#include "reconciler/planner.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using namespace linux_res;  // NOLINT
using testing::MakeBridge;
using testing::MakeNat;
using testing::MakeVm;

model::Manifest Fleet(int vms) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.170.0.1/24"));
  m.nats.push_back(MakeNat("out", "br0"));
  for (int i = 0; i < vms; ++i) {
    auto vm = MakeVm("vm" + std::to_string(i), "br0", model::NetworkMode::kOutbound,
                     "10.170.0." + std::to_string(10 + i) + "/24");
    vm.network.dns = {"10.170.0.1"};
    if (i == 0) vm.qemu = model::Qemu{"/boot/vmlinuz", "/boot/initrd", 1, 256, "console=ttyS0"};
    m.vms.push_back(vm);
  }
  return m;
}

struct Fixture {
  drivers::sim::SimHost host;
  std::unique_ptr<Platform> platform = MakeLinuxPlatform();

  Plan PlanFor(const model::Manifest& m, std::vector<std::string> applied = {}, bool allow = false) {
    PlanInput in;
    in.manifest = &m;
    in.allocations = Allocate(m, {}).allocations;
    in.observed = *host.Observe({});
    in.guard.allow = allow;
    in.applied_ids = std::move(applied);
    auto plan = MakePlan(*platform, std::move(in));
    EXPECT_TRUE(plan.ok());
    // Through the file format, as `plan --out` and `apply FILE` do.
    auto back = PlanFromJson(nlohmann::json::parse(PlanToJson(*plan).dump()));
    EXPECT_TRUE(back.ok());
    return std::move(*back);
  }
  void ApplyAll(const Plan& plan) {
    for (const auto& s : plan.steps) {
      auto resp = host.Apply(ApplyRequest{{Action{s.id, s.op, s.resource, s.fields}}});
      ASSERT_FALSE(resp.results.at(0).error) << resp.results[0].error->ToString();
    }
  }
  Result<Plan> Recheck(const Plan& saved, std::vector<std::string> applied = {}, bool allow = false) {
    return RecheckSavedPlan(*platform, saved, *host.Observe({}), SavedPlanCheck{{0.5, allow}, std::move(applied)});
  }
};

Step& StepFor(Plan& plan, const std::string& kind, const std::string& name) {
  for (auto& s : plan.steps)
    if (s.key().kind == kind && s.key().name == name) return s;
  ADD_FAILURE() << "no step for " << kind << " " << name;
  return plan.steps.front();
}

TEST(SavedPlan, BerthsOwnPlansAreItsOwnAfterTheRoundTrip) {
  Fixture f;
  const auto m = Fleet(4);
  Plan saved = f.PlanFor(m);
  ASSERT_GT(saved.steps.size(), 30u);
  auto own = f.Recheck(saved);
  ASSERT_TRUE(own) << own.error().message;
  ASSERT_EQ(own->steps.size(), saved.steps.size());
  f.ApplyAll(*own);
  // Removing one VM of four (with the inventory saying it was applied) is berth's too.
  auto fewer = m;
  fewer.vms.pop_back();
  const std::vector<std::string> applied = ManifestIdsOf(m);
  Plan removal = f.PlanFor(fewer, applied);
  ASSERT_TRUE(removal.HasWork());
  auto again = f.Recheck(removal, applied);
  EXPECT_TRUE(again) << again.error().message;
}

TEST(SavedPlan, ASplicedRuleIsRefusedNamingTheStep) {
  Fixture f;
  Plan saved = f.PlanFor(Fleet(1));
  Step& s = StepFor(saved, kNft, "nat/out");
  Resource edited = s.resource;
  edited.attrs[kChainPostrouting] += " accept; }; }; delete table inet other;";
  s.resource = edited;
  auto r = f.Recheck(saved);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("(create nft:/nat/out): malformed nft"), std::string::npos) << r.error().message;
}

TEST(SavedPlan, AStepBerthWouldNotRunIsRefused) {
  Fixture f;
  const auto m = Fleet(1);
  f.ApplyAll(f.PlanFor(m));
  // An unowned bridge, and a plan that claims it.
  Resource foreign{{kLink, "", "oper0"}, {{kType, "bridge"}, {kUp, "true"}}, Ownership::kUnowned, "", {}};
  ASSERT_FALSE(f.host.Seed(foreign, Ownership::kUnowned));
  Plan saved = f.PlanFor(m);
  ASSERT_FALSE(saved.HasWork());
  Resource claimed = foreign;
  claimed.ownership = Ownership::kOwned;
  saved.changes.changes.push_back(Change{ChangeAction::kDelete, claimed, std::nullopt, {}, "", std::nullopt});
  saved.steps.push_back(Step{0, Op::kDelete, claimed, {}, {}, {}, {}});
  auto r = f.Recheck(saved);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is not berth's on this host"), std::string::npos) << r.error().message;

  // A sysctl outside the allow-list, and an update berth would not make.
  Plan sysctl = f.PlanFor(m);
  Resource somaxconn{{kSysctl, "", "net.core.somaxconn"}, {{kValue, "4096"}}, Ownership::kOwned, "", {}};
  sysctl.changes.changes.push_back(Change{ChangeAction::kCreate, std::nullopt, somaxconn, {}, "", std::nullopt});
  sysctl.steps.push_back(Step{0, Op::kCreate, somaxconn, {}, {}, {}, {}});
  r = f.Recheck(sysctl);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not one berth sets"), std::string::npos) << r.error().message;

  Plan mtu = f.PlanFor(m);
  Resource br = *f.host.Observe({})->Find({kLink, "", "br0"});
  br.attrs[kMtu] = "1400";
  mtu.steps.push_back(Step{0, Op::kUpdate, br, {kMtu}, {}, {}, {}});
  r = f.Recheck(mtu);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("berth would run no such step"), std::string::npos) << r.error().message;
}

TEST(SavedPlan, TheMassDeletionGuardRunsAgainWhateverTheFileSays) {
  Fixture f;
  const auto m = Fleet(4);
  f.ApplyAll(f.PlanFor(m));
  auto none = m;
  none.vms.clear();
  const std::vector<std::string> applied = ManifestIdsOf(m);
  Plan saved = f.PlanFor(none, applied);
  ASSERT_TRUE(saved.refusal);
  saved.refusal.reset();
  auto r = f.Recheck(saved, applied);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("refusing to delete 4 of 4"), std::string::npos) << r.error().message;
  // apply's own --allow-mass-delete lets it through.
  EXPECT_TRUE(f.Recheck(saved, applied, /*allow=*/true));
}

}  // namespace
}  // namespace berth::reconciler

namespace berth::reconciler {
namespace {

TEST(SavedPlan, WidensAreReadBack) {
  Plan plan;
  plan.platform = "linux";
  plan.changes.widens.push_back({"VM/d1", "host icmp", "host icmp tcp/22", {"host +tcp/22"}});
  auto back = PlanFromJson(nlohmann::json::parse(PlanToJson(plan).dump()));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->changes.widens.size(), 1u);
  EXPECT_EQ(back->changes.widens[0].workload, "VM/d1");
  EXPECT_EQ(back->changes.widens[0].after, "host icmp tcp/22");
  EXPECT_EQ(back->changes.widens[0].items, std::vector<std::string>{"host +tcp/22"});
  EXPECT_EQ(PlanToJson(*back).dump(), PlanToJson(plan).dump());
}

}  // namespace
}  // namespace berth::reconciler
