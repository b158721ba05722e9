// ApplyPlan, the apply transaction `berth apply` and the watch controller share: state saved before the first
// step, verification under a retry policy, the inventory replaced only by a verified, complete run.
#include "reconciler/apply.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "reconciler/planner.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

/// The simulated host, but the first `failures` observations after an apply fail (a kernel still settling).
class SettlingDriver final : public Driver {
 public:
  SettlingDriver(Driver& inner, int failures) : inner_(inner), failures_(failures) {}
  Capabilities capabilities() const override { return inner_.capabilities(); }
  Result<ObservedState, DriverError> Observe(const ObserveRequest& request) override {
    ++observes;
    if (failures_ > 0) {
      --failures_;
      return MakeUnexpected(DriverError{DriverError::Kind::kBusy, "observe", {}, EBUSY, "still settling"});
    }
    return inner_.Observe(request);
  }
  ApplyResponse Apply(const ApplyRequest& request) override { return inner_.Apply(request); }
  int observes = 0;

 private:
  Driver& inner_;
  int failures_;
};

class ApplyPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("berth-apply-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    manifest_.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
    manifest_.vms.push_back(testing::MakeVm("vm1", "fcbr0"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Plan FreshPlan() {
    PlanInput in;
    in.manifest = &manifest_;
    in.allocations = Allocate(manifest_, {}).allocations;
    auto observed = host_.Observe({});
    EXPECT_TRUE(observed.ok());
    in.observed = std::move(*observed);
    auto plan = MakePlan(*platform_, std::move(in));
    EXPECT_TRUE(plan.ok());
    return std::move(*plan);
  }
  std::vector<std::string> Inventory() const {
    auto inventory = state_.LoadInventory();
    EXPECT_TRUE(inventory.ok());
    return inventory ? *inventory : std::vector<std::string>{};
  }

  std::filesystem::path dir_;
  StateDir state_{""};
  std::unique_ptr<Platform> platform_ = MakeLinuxPlatform();
  drivers::sim::SimHost host_;
  model::Manifest manifest_;
};

TEST_F(ApplyPlanTest, AppliesVerifiesAndRecordsWhatWasApplied) {
  state_ = StateDir(dir_.string());
  Plan plan = FreshPlan();
  ASSERT_TRUE(plan.HasWork());
  int executed_reports = 0;
  ApplyOptions options;
  options.on_executed = [&](const ExecuteReport& r) { executed_reports += r.done > 0; };
  ApplyReport report = ApplyPlan(*platform_, plan, host_, state_, options);
  EXPECT_TRUE(report.ok()) << (report.refusal ? *report.refusal : "");
  EXPECT_EQ(report.exec.done, int(plan.steps.size()));
  EXPECT_EQ(executed_reports, 1);
  EXPECT_TRUE(report.verified);
  ASSERT_TRUE(report.after);
  EXPECT_NE(report.after->Find({"netns", "", "berth-vm1"}), nullptr);
  EXPECT_EQ(Inventory(), plan.manifest_ids);
  auto allocations = state_.LoadAllocations();
  ASSERT_TRUE(allocations.ok());
  EXPECT_EQ(*allocations, plan.allocations);
}

TEST_F(ApplyPlanTest, RefusesAPlanForAnotherPlatformNamingBoth) {
  state_ = StateDir(dir_.string());
  Plan plan = FreshPlan();
  plan.platform = "freebsd";
  ApplyReport report = ApplyPlan(*platform_, plan, host_, state_);
  ASSERT_TRUE(report.refusal);
  EXPECT_NE(report.refusal->find("\"freebsd\""), std::string::npos) << *report.refusal;
  EXPECT_NE(report.refusal->find("\"linux\""), std::string::npos) << *report.refusal;
  EXPECT_EQ(report.exec.done + report.exec.failed, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_));  // not even the state directory was written
  auto observed = host_.Observe({});
  ASSERT_TRUE(observed.ok());
  EXPECT_EQ(observed->Find({"netns", "", "berth-vm1"}), nullptr);
}

TEST_F(ApplyPlanTest, AFailedRunIsNotVerifiedAndKeepsTheMergedInventory) {
  state_ = StateDir(dir_.string());
  ASSERT_TRUE(state_.SaveInventory({"VM/gone"}).ok());
  Plan plan = FreshPlan();
  host_.InjectFailure(0, EBUSY);
  ApplyReport report = ApplyPlan(*platform_, plan, host_, state_);
  EXPECT_FALSE(report.refusal);
  EXPECT_EQ(report.exec.failed, 1);
  EXPECT_FALSE(report.verified);
  EXPECT_TRUE(report.mismatches.empty());  // its failures are reported, not a verification on top
  EXPECT_TRUE(report.after);               // re-observed all the same: callers count what they own
  std::vector<std::string> merged = plan.manifest_ids;
  merged.push_back("VM/gone");
  std::sort(merged.begin(), merged.end());
  EXPECT_EQ(Inventory(), merged);  // a later plan must still call VM/gone's objects deletions, not leaks
}

TEST_F(ApplyPlanTest, AnIncompletePlanNeverReplacesTheInventory) {
  state_ = StateDir(dir_.string());
  ASSERT_TRUE(state_.SaveInventory({"VM/gone"}).ok());
  Plan plan = FreshPlan();
  ApplyOptions options;
  options.complete = false;  // the controller left deferred steps out
  ApplyReport report = ApplyPlan(*platform_, plan, host_, state_, options);
  EXPECT_TRUE(report.ok());
  const std::vector<std::string> inventory = Inventory();
  EXPECT_NE(std::find(inventory.begin(), inventory.end(), "VM/gone"), inventory.end());
}

TEST_F(ApplyPlanTest, VerificationRetriesUnderItsPolicyOnly) {
  state_ = StateDir(dir_.string());
  Plan plan = FreshPlan();
  {
    SettlingDriver settling(host_, 1);
    ApplyReport once = ApplyPlan(*platform_, plan, settling, state_);  // default policy: one attempt
    EXPECT_FALSE(once.verified);
    ASSERT_TRUE(once.observe_error);
    EXPECT_NE(once.observe_error->find("still settling"), std::string::npos);
    ASSERT_EQ(once.mismatches.size(), 1u);
    EXPECT_EQ(settling.observes, 1);
  }
  ASSERT_FALSE(host_.Remove({"netns", "", "berth-vm1"}));  // work again for a second apply
  Plan again = FreshPlan();
  ASSERT_TRUE(again.HasWork());
  SettlingDriver settling(host_, 2);
  ApplyOptions options;
  options.verify = {3, std::chrono::milliseconds(1)};
  ApplyReport retried = ApplyPlan(*platform_, again, settling, state_, options);
  EXPECT_TRUE(retried.verified) << (retried.mismatches.empty() ? "" : retried.mismatches[0]);
  EXPECT_FALSE(retried.observe_error);
  EXPECT_EQ(settling.observes, 3);
}

}  // namespace
}  // namespace berth::reconciler
