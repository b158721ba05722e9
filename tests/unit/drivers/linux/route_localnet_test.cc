// route_localnet on a bridge opens the host's 127/8 to it (CVE-2020-8558), so berth keeps it on only while a
// `localhost: true` forward needs it: dropping the flag, or every forward, turns it off again, and the 127/8
// guard stays until it is off. On the simulated host, which reads the sysctl as the Linux driver does.
#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "reconciler/executor.h"
#include "reconciler/planner.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

const ResourceKey kLocalnet{"sysctl", "", "net.ipv4.conf.fcbr0.route_localnet"};
const ResourceKey kGuardGroup{"nft", "", linux_res::kForwardsGroup};

model::Manifest WithForwards(int forwards, bool localhost) {
  model::Manifest m;
  m.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
  auto nat = testing::MakeNat("nat0", "fcbr0");
  for (int i = 0; i < forwards; ++i) {
    model::PortForward f;
    f.port = uint16_t(8080 + i);
    f.to_address = *model::Ipv4::Parse("10.168.0.10");
    f.to_port = 80;
    f.localhost = localhost && i == 0;
    nat.forwards.push_back(f);
  }
  m.nats.push_back(nat);
  return m;
}

class RouteLocalnet : public ::testing::Test {
 protected:
  Plan PlanFor(const model::Manifest& m) {
    PlanInput in;
    in.manifest = &m;
    in.allocations = Allocate(m, {}).allocations;
    auto observed = host_.Observe({});
    EXPECT_TRUE(observed.ok());
    in.observed = std::move(*observed);
    in.applied_ids = applied_;
    auto plan = MakePlan(*platform_, std::move(in));
    EXPECT_TRUE(plan.ok()) << plan.error().message;
    return std::move(*plan);
  }
  Plan Converge(const model::Manifest& m) {
    Plan plan = PlanFor(m);
    EXPECT_TRUE(plan.changes.conflicts.empty());
    const ExecuteReport report = Execute(plan, host_);
    EXPECT_TRUE(report.ok()) << report.failed << " failed, " << report.skipped << " skipped";
    applied_ = ManifestIdsOf(m);
    EXPECT_FALSE(PlanFor(m).HasWork());
    return plan;
  }
  std::optional<std::string> Localnet() {
    auto observed = host_.Observe({});
    const Resource* r = observed->Find(kLocalnet);
    return r ? std::optional<std::string>(r->AttrOr("value")) : std::nullopt;
  }
  int StepOf(const Plan& plan, Op op, const ResourceKey& key) {
    for (const auto& s : plan.steps)
      if (s.op == op && s.key() == key) return s.id;
    return -1;
  }

  drivers::sim::SimHost host_;
  std::unique_ptr<Platform> platform_ = MakeLinuxPlatform();
  std::vector<std::string> applied_;
};

TEST_F(RouteLocalnet, DroppingTheFlagTurnsItOffAndKeepsTheGuard) {
  Converge(WithForwards(2, true));
  EXPECT_EQ(Localnet(), "1");
  const Plan plan = Converge(WithForwards(2, false));
  EXPECT_GE(StepOf(plan, Op::kDelete, kLocalnet), 0);
  EXPECT_EQ(Localnet(), std::nullopt) << "off again (read only when on)";
  auto observed = host_.Observe({});
  const Resource* group = observed->Find(kGuardGroup);
  ASSERT_TRUE(group);
  EXPECT_TRUE(group->AttrOr("preroute").starts_with("iifname != \"lo\" ip saddr 127.0.0.0/8 counter drop\n"));
}

TEST_F(RouteLocalnet, RemovingEveryForwardTurnsItOffBeforeTheGuardGoes) {
  Converge(WithForwards(1, true));
  host_.ClearLog();
  const Plan plan = Converge(WithForwards(0, false));
  const int off = StepOf(plan, Op::kDelete, kLocalnet), guard = StepOf(plan, Op::kDelete, kGuardGroup);
  ASSERT_GE(off, 0);
  ASSERT_GE(guard, 0);
  const auto log = host_.log();
  size_t off_at = log.size(), guard_at = log.size();
  for (size_t i = 0; i < log.size(); ++i) {
    if (log[i].key == kLocalnet) off_at = std::min(off_at, i);
    if (log[i].key == kGuardGroup) guard_at = std::min(guard_at, i);
  }
  EXPECT_LT(off_at, guard_at) << "route_localnet must be off before the 127/8 guard goes";
  EXPECT_EQ(Localnet(), std::nullopt);
}

TEST_F(RouteLocalnet, AnUnownedBridgesSettingIsNeverTouched) {
  Converge(WithForwards(1, true));
  Resource other;
  other.key = {"link", "", "opbr0"};
  other.attrs = {{"type", "bridge"}, {"up", "true"}};
  ASSERT_FALSE(host_.Seed(other, Ownership::kUnowned));
  Resource setting;
  setting.key = {"sysctl", "", "net.ipv4.conf.opbr0.route_localnet"};
  setting.attrs = {{"value", "1"}};
  ASSERT_FALSE(host_.Seed(setting));
  for (const auto& s : PlanFor(WithForwards(0, false)).steps) EXPECT_NE(s.key(), setting.key) << ToString(s.op);
}

}  // namespace
}  // namespace berth::reconciler
