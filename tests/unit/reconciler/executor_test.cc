// Execute: batches grouped by kind on a refilling worker pool, dependencies respected under parallelism, a
// slow batch holding back only what needs it, failures skipping only what is below them, missing results
// counted as failures.
#include "reconciler/executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "tests/unit/reconciler/test_platform.h"

namespace berth::reconciler {
namespace {

using namespace testing;  // NOLINT: test vocabulary

/// Records every batch; fails the keys named in `fail`; leaves out results for the keys in `silent`.
class RecordingDriver final : public Driver {
 public:
  std::set<std::string> fail, silent;
  std::chrono::milliseconds delay{0};

  Capabilities capabilities() const override { return {"test"}; }
  Result<ObservedState, DriverError> Observe(const ObserveRequest&) override { return ObservedState{}; }
  ApplyResponse Apply(const ApplyRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      batches_.push_back(request);
      max_concurrent_ = std::max(max_concurrent_, ++concurrent_);
    }
    std::this_thread::sleep_for(delay);
    ApplyResponse response;
    for (const Action& a : request.actions) {
      const std::string name = a.resource.key.name;
      if (silent.count(name)) continue;
      ActionResult result{a.step_id, std::nullopt};
      if (fail.count(name)) result.error = DriverError{DriverError::Kind::kOther, "create", a.resource.key, 5, "EIO"};
      response.results.push_back(result);
      std::lock_guard lock(mutex_);
      order_.push_back(a.step_id);
    }
    std::lock_guard lock(mutex_);
    --concurrent_;
    return response;
  }

  std::vector<ApplyRequest> batches() const { return batches_; }
  std::vector<int> order() const { return order_; }
  int max_concurrent() const { return max_concurrent_; }

 private:
  mutable std::mutex mutex_;
  std::vector<ApplyRequest> batches_;
  std::vector<int> order_;
  int concurrent_ = 0, max_concurrent_ = 0;
};

ExecuteOptions WithParallelism(int n) {
  ExecuteOptions options;
  options.parallelism = n;
  return options;
}

Step MakeStep(int id, ResourceKey key, std::vector<int> deps = {}) {
  Step s;
  s.id = id;
  Resource r;
  r.key = std::move(key);
  s.resource = r;
  s.depends_on = std::move(deps);
  return s;
}

TEST(Execute, GroupsReadyStepsByKindIntoBatches) {
  Plan plan;
  plan.steps = {MakeStep(0, {"link", "", "a"}), MakeStep(1, {"addr", "", "x"}), MakeStep(2, {"link", "", "b"}),
                MakeStep(3, {"addr", "", "y"}, {0, 2})};
  RecordingDriver driver;
  ExecuteReport report = Execute(plan, driver, WithParallelism(1));
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.done, 4);
  auto batches = driver.batches();
  ASSERT_EQ(batches.size(), 3u);  // wave 1: addr{1}, link{0,2}; wave 2: addr{3}
  EXPECT_EQ(batches[0].actions.size(), 1u);
  EXPECT_EQ(batches[0].actions[0].step_id, 1);
  ASSERT_EQ(batches[1].actions.size(), 2u);
  EXPECT_EQ(batches[1].actions[0].step_id, 0);
  EXPECT_EQ(batches[1].actions[1].step_id, 2);
  EXPECT_EQ(batches[2].actions[0].step_id, 3);
}

TEST(Execute, FailureSkipsDependentsTransitivelyWhileIndependentBranchesGoOn) {
  Plan plan;
  plan.steps = {MakeStep(0, Node("bad")), MakeStep(1, Node("good")), MakeStep(2, Node("below"), {0}),
                MakeStep(3, Node("further"), {2}), MakeStep(4, Node("after-good"), {1}), MakeStep(5, Node("both"), {1, 3})};
  RecordingDriver driver;
  driver.fail = {"bad"};
  std::vector<std::pair<int, StepOutcome>> seen;
  ExecuteOptions options;
  options.on_step = [&](const Step& s, const StepReport& r) { seen.emplace_back(s.id, r.outcome); };
  ExecuteReport report = Execute(plan, driver, options);

  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.done, 2);
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.skipped, 3);
  EXPECT_EQ(report.steps[0].outcome, StepOutcome::kFailed);
  ASSERT_TRUE(report.steps[0].error);
  EXPECT_EQ(report.steps[0].error->sys_errno, 5);
  for (int id : {2, 3, 5}) {
    EXPECT_EQ(report.steps[id].outcome, StepOutcome::kSkipped) << id;
    EXPECT_EQ(report.steps[id].blocked_by, 0) << id;
  }
  EXPECT_EQ(report.steps[4].outcome, StepOutcome::kDone);
  EXPECT_EQ(seen.size(), 6u);  // every step reported once
}

TEST(Execute, MissingResultCountsAsFailure) {
  Plan plan;
  plan.steps = {MakeStep(0, Node("quiet")), MakeStep(1, Node("next"), {0})};
  RecordingDriver driver;
  driver.silent = {"quiet"};
  ExecuteReport report = Execute(plan, driver);
  EXPECT_EQ(report.steps[0].outcome, StepOutcome::kFailed);
  ASSERT_TRUE(report.steps[0].error);
  EXPECT_EQ(report.steps[0].error->key, Node("quiet"));
  EXPECT_EQ(report.steps[1].outcome, StepOutcome::kSkipped);
}

TEST(Execute, ParallelBatchesRespectDependencies) {
  // Four kinds per layer, five layers: each step needs every step of the layer above.
  Plan plan;
  const char* kinds[] = {"a", "b", "c", "d"};
  for (int layer = 0; layer < 5; ++layer)
    for (int k = 0; k < 4; ++k) {
      std::vector<int> deps;
      for (int above = 0; layer > 0 && above < 4; ++above) deps.push_back((layer - 1) * 4 + above);
      int id = int(plan.steps.size());
      plan.steps.push_back(MakeStep(id, {kinds[k], "", std::to_string(id)}, deps));
    }
  RecordingDriver driver;
  driver.delay = std::chrono::milliseconds(5);
  ExecuteReport report = Execute(plan, driver, WithParallelism(4));
  EXPECT_TRUE(report.ok());
  EXPECT_GT(driver.max_concurrent(), 1);
  std::vector<int> order = driver.order();
  ASSERT_EQ(order.size(), plan.steps.size());
  std::vector<int> position(order.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = int(i);
  for (const Step& s : plan.steps)
    for (int d : s.depends_on) EXPECT_LT(position[d], position[s.id]) << d << " -> " << s.id;
}

TEST(Execute, CancellationStartsNothingNew) {
  Plan plan;
  plan.steps = {MakeStep(0, Node("first")), MakeStep(1, Node("second"), {0}), MakeStep(2, Node("third"), {1})};
  RecordingDriver driver;
  int waves = 0;
  ExecuteOptions options;
  options.cancelled = [&] { return ++waves > 1; };  // cancel after the first wave
  ExecuteReport report = Execute(plan, driver, options);
  EXPECT_EQ(report.done, 1);
  EXPECT_EQ(report.not_started, 2);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.steps[1].outcome, StepOutcome::kPending);
  EXPECT_EQ(driver.order(), std::vector<int>{0});
}

/// Holds every batch of kind "slow" until a step of kind "after" has been applied (or a deadline passes,
/// failing loudly): a wave executor would wait for the slow batch before starting "after", and deadlock.
class GatedDriver final : public Driver {
 public:
  Capabilities capabilities() const override { return {"test"}; }
  Result<ObservedState, DriverError> Observe(const ObserveRequest&) override { return ObservedState{}; }
  ApplyResponse Apply(const ApplyRequest& request) override {
    ApplyResponse response;
    const std::string kind = request.actions.front().resource.key.kind;
    std::optional<DriverError> error;
    std::unique_lock lock(mutex_);
    if (kind == "slow" && !cv_.wait_for(lock, std::chrono::seconds(10), [this] { return after_applied_; }))
      error = DriverError{DriverError::Kind::kOther, "create", request.actions.front().resource.key, 0,
                          "held back: nothing ran beside the slow batch for 10 s"};
    if (kind == "after") after_applied_ = true;
    cv_.notify_all();
    for (const Action& a : request.actions) response.results.push_back({a.step_id, error});
    return response;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool after_applied_ = false;
};

TEST(Execute, ASlowBatchHoldsBackOnlyWhatNeedsIt) {
  Plan plan;
  plan.steps = {MakeStep(0, {"fast", "", "f"}), MakeStep(1, {"slow", "", "s"}), MakeStep(2, {"after", "", "a"}, {0}),
                MakeStep(3, {"last", "", "l"}, {1, 2})};
  GatedDriver driver;
  ExecuteReport report = Execute(plan, driver, WithParallelism(2));
  EXPECT_TRUE(report.ok()) << (report.steps[1].error ? report.steps[1].error->ToString() : "");
  EXPECT_EQ(report.done, 4);
}

TEST(Execute, EmptyPlanDoesNothing) {
  RecordingDriver driver;
  ExecuteReport report = Execute(Plan{}, driver);
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(driver.batches().empty());
}

}  // namespace
}  // namespace berth::reconciler
