// Fault injection: the simulated host's failures, crashes and restart, its action log, and FaultyDriver.
#include <cerrno>

#include "drivers/sim/faulty_driver.h"
#include "tests/unit/drivers/sim/sim_fixture.h"

namespace berth::drivers::sim {
namespace {

using namespace testing;  // NOLINT: test vocabulary

TEST(SimFaults, InjectedFailureHitsTheKthActionOnly) {
  SimHost host;
  host.InjectFailure(1, EBUSY);
  EXPECT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  auto err = Do(host, Op::kCreate, Bridge("br1"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sys_errno, EBUSY);
  EXPECT_TRUE(err->IsRetryable());
  EXPECT_FALSE(Find(See(host), {"link", "", "br1"}));  // nothing done
  EXPECT_FALSE(Do(host, Op::kCreate, Bridge("br1")));
}

TEST(SimFaults, CrashLeavesALinkMarkedWithoutTagAndRefusesUntilRestart) {
  SimHost host;
  host.InjectCrash(0);
  auto err = Do(host, Op::kCreate, Bridge("br0"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, DriverError::Kind::kCrashed);
  EXPECT_TRUE(host.crashed());
  EXPECT_EQ(Do(host, Op::kCreate, Bridge("br1"))->kind, DriverError::Kind::kCrashed);
  auto o = See(host);
  ASSERT_TRUE(Find(o, {"link", "", "br0"}));
  EXPECT_EQ(Find(o, {"link", "", "br0"})->ownership, Ownership::kMarked);
  EXPECT_FALSE(Find(o, {"link", "", "br1"}));
  host.Restart();
  EXPECT_FALSE(Do(host, Op::kCreate, Bridge("br1")));
}

TEST(SimFaults, CrashOnOtherActionsDoesNothing) {
  SimHost host;
  host.InjectCrash(0);
  EXPECT_TRUE(Do(host, Op::kCreate, Netns("berth-vm1")));
  host.Restart();
  EXPECT_FALSE(Find(See(host), {"netns", "", "berth-vm1"}));
}

TEST(SimFaults, LogRecordsEveryActionInArrivalOrder) {
  SimHost host;
  EXPECT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  EXPECT_TRUE(Do(host, Op::kCreate, Bridge("br0")));
  auto log = host.log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].sequence, 0);
  EXPECT_EQ(log[1].sequence, 1);
  EXPECT_EQ(log[0].key, (ResourceKey{"link", "", "br0"}));
  EXPECT_FALSE(log[0].error);
  EXPECT_TRUE(log[1].error);
  EXPECT_EQ(host.actions_seen(), 2);
}

TEST(FaultyDriver, FailsTheNthActionAndForwardsTheRest) {
  SimHost host;
  FaultyDriver faulty(host, 1, EIO);
  reconciler::ApplyRequest request;
  for (const char* name : {"br0", "br1", "br2"}) request.actions.push_back({int(request.actions.size()), Op::kCreate, Bridge(name), {}});
  auto response = faulty.Apply(request);
  ASSERT_EQ(response.results.size(), 3u);
  int failed = 0;
  for (const auto& r : response.results)
    if (r.error) {
      ++failed;
      EXPECT_EQ(r.step_id, 1);
      EXPECT_EQ(r.error->sys_errno, EIO);
    }
  EXPECT_EQ(failed, 1);
  EXPECT_TRUE(faulty.fired());
  auto o = See(host);
  EXPECT_TRUE(Find(o, {"link", "", "br0"}));
  EXPECT_FALSE(Find(o, {"link", "", "br1"}));
  EXPECT_TRUE(Find(o, {"link", "", "br2"}));
}

}  // namespace
}  // namespace berth::drivers::sim
