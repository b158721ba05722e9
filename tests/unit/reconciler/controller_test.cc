// The watch loop's pass against the simulated host: convergence, drift repair, backoff, terminal errors,
// the mass-deletion guard and leaving out what depends on deferred steps.
#include "reconciler/controller.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using namespace std::chrono_literals;

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("berth-controller-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    manifest_.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
    manifest_.nats.push_back(testing::MakeNat("nat0", "fcbr0"));
    for (const char* vm : {"vm1", "vm2", "vm3"}) manifest_.vms.push_back(testing::MakeVm(vm, "fcbr0"));
    controller_ = std::make_unique<Controller>(*platform_, host_, StateDir(dir_.string()), ControllerOptions{});
    controller_->SetManifest(manifest_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  PassReport PassAt(std::chrono::milliseconds offset) {
    return controller_->Pass({start_.steady + offset, start_.wall + offset});
  }

  std::filesystem::path dir_;
  std::unique_ptr<Platform> platform_ = MakeLinuxPlatform();
  drivers::sim::SimHost host_;
  model::Manifest manifest_;
  std::unique_ptr<Controller> controller_;
  PassClock start_ = PassClock::Now();
};

TEST_F(ControllerTest, ConvergesThenIdles) {
  PassReport first = PassAt(0ms);
  EXPECT_TRUE(first.converged) << (first.errors.empty() ? "" : first.errors[0]);
  EXPECT_GT(first.applied, 0);
  EXPECT_EQ(first.owned_by_kind["netns"], 3);
  PassReport second = PassAt(1ms);
  EXPECT_TRUE(second.converged);
  EXPECT_EQ(second.applied, 0);
  EXPECT_EQ(second.repairs, 0);
}

TEST_F(ControllerTest, RepairsDriftWithoutAManifestChange) {
  ASSERT_TRUE(PassAt(0ms).converged);
  ASSERT_FALSE(host_.Remove({"link", "berth-vm2", "tap0"}));
  PassReport repair = PassAt(10ms);
  EXPECT_TRUE(repair.converged);
  EXPECT_GE(repair.repairs, 1);
}

TEST_F(ControllerTest, RetryableFailureBacksOffAndDoesNotBlockOthers) {
  ASSERT_TRUE(PassAt(0ms).converged);
  ASSERT_FALSE(host_.Remove({"link", "berth-vm1", "tap0"}));
  ASSERT_FALSE(host_.Remove({"link", "berth-vm2", "tap0"}));
  host_.InjectFailure(0, EBUSY);
  PassReport failing = PassAt(10ms);
  EXPECT_EQ(failing.failed, 1);
  EXPECT_GE(failing.applied, 1);  // the other VM's repair went ahead
  ASSERT_TRUE(failing.retry_at);
  PassReport early = PassAt(20ms);  // inside the backoff window: left out, not retried
  EXPECT_GT(early.deferred, 0);
  EXPECT_EQ(early.failed, 0);
  PassReport later = PassAt(10ms + 200ms);
  EXPECT_TRUE(later.converged) << (later.errors.empty() ? "" : later.errors[0]);
}

TEST_F(ControllerTest, TerminalFailureWaitsForAManifestChange) {
  ASSERT_TRUE(PassAt(0ms).converged);
  ASSERT_FALSE(host_.Remove({"link", "berth-vm1", "tap0"}));
  host_.InjectFailure(0, EOPNOTSUPP);
  PassReport failing = PassAt(10ms);
  ASSERT_EQ(failing.failed, 1);
  EXPECT_NE(failing.errors[0].find("not retried"), std::string::npos);
  EXPECT_GT(PassAt(10min).deferred, 0);  // not even after the backoff cap
  controller_->SetManifest(manifest_);
  EXPECT_TRUE(PassAt(11min).converged);
}

TEST_F(ControllerTest, HalfCheckedOutManifestsMeetTheGuard) {
  ASSERT_TRUE(PassAt(0ms).converged);
  model::Manifest half = manifest_;
  half.vms.resize(1);
  controller_->SetManifest(half);
  PassReport refused = PassAt(10ms);
  ASSERT_TRUE(refused.refusal);
  EXPECT_EQ(refused.applied, 0);
  EXPECT_TRUE(host_.Observe({})->Find({"netns", "", "berth-vm3"}));
}

TEST(WithoutSteps, DropsDependentsTransitivelyAndRenumbers) {
  Plan plan;
  for (int i = 0; i < 4; ++i) {
    Step s;
    s.id = i;
    Resource r;
    r.key = {"link", "", "l" + std::to_string(i)};
    s.resource = r;
    plan.steps.push_back(s);
  }
  plan.steps[1].depends_on = {0};
  plan.steps[2].depends_on = {1};
  plan.steps[3].depends_on = {};
  Plan out = WithoutSteps(plan, {0});
  ASSERT_EQ(out.steps.size(), 1u);
  EXPECT_EQ(out.steps[0].key().name, "l3");
  EXPECT_EQ(out.steps[0].id, 0);
}

TEST(TagTime, RoundTrips) {
  auto t = ParseTagTime("2026-11-23T07:40:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTagTime(*t), "2026-11-23T07:40:00Z");
  EXPECT_FALSE(ParseTagTime("yesterday"));
}

}  // namespace
}  // namespace berth::reconciler
