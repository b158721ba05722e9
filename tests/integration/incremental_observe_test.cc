// Incremental observation for berth watch, on the real kernel: the change feed names the namespace where
// something changed, and the driver re-reads only the scopes it is told about, those its own actions
// touched, and namespaces that are new or were made again under the same name.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "drivers/linux/change_feed.h"
#include "drivers/linux/platform/linux_resources.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

namespace lr = reconciler::linux_res;
using reconciler::ObserveRequest;
using reconciler::ResourceKey;

const ResourceKey kTap1{lr::kLink, "berth-vm1", "tap0"};
const ResourceKey kTap2{lr::kLink, "berth-vm2", "tap0"};

class IncrementalObserveTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    std::vector<reconciler::Resource> all = BridgeResources("fcbr0", "10.168.0.1/24");
    for (auto& r : VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02")) all.push_back(r);
    for (auto& r : VmResources("vm2", "fcbr0", "06:00:0a:a8:00:03")) all.push_back(r);
    ApplyAll(*driver_, all);
    ASSERT_TRUE(ObserveOk(*driver_).Find(kTap1));  // a full read fills the driver's memory
  }
  static ObserveRequest Changed(std::set<std::string> scopes, bool firewall = false) {
    ObserveRequest r;
    r.changed_scopes = std::move(scopes);
    r.firewall_changed = firewall;
    return r;
  }
  reconciler::ObservedState ObserveWith(const ObserveRequest& r) {
    auto obs = driver_->Observe(r);
    EXPECT_TRUE(obs.ok());
    return obs.ok() ? *obs : reconciler::ObservedState{};
  }
};

TEST_F(IncrementalObserveTest, ReadsAgainOnlyTheScopesNamed) {
  ASSERT_EQ(Sh("ip -n berth-vm1 link del tap0").status, 0);
  ASSERT_EQ(Sh("ip -n berth-vm2 link del tap0").status, 0);
  // Told nothing changed: both namespaces come from memory (this is what the feed is for).
  auto none = ObserveWith(Changed({}));
  EXPECT_TRUE(none.Find(kTap1));
  EXPECT_TRUE(none.Find(kTap2));
  // Told about vm1 only.
  auto one = ObserveWith(Changed({"berth-vm1"}));
  EXPECT_FALSE(one.Find(kTap1));
  EXPECT_TRUE(one.Find(kTap2));
  // A full read sees everything.
  auto all = ObserveWith(ObserveRequest{});
  EXPECT_FALSE(all.Find(kTap2));
}

TEST_F(IncrementalObserveTest, TheHostNamespaceIsAlwaysReadAgain) {
  ASSERT_EQ(Sh("ip link set fcbr0 down").status, 0);
  auto obs = ObserveWith(Changed({}));
  ASSERT_TRUE(obs.Find({lr::kLink, "", "fcbr0"}));
  EXPECT_EQ(obs.Find({lr::kLink, "", "fcbr0"})->AttrOr(lr::kUp), "false");
}

TEST_F(IncrementalObserveTest, WhatTheDriverTouchedIsReadAgain) {
  ASSERT_FALSE(ApplyOne(*driver_, Res(lr::kLink, "berth-vm1", "tap0", {{lr::kType, "tap"}}), reconciler::Op::kDelete));
  auto obs = ObserveWith(ObserveRequest::AfterApply());
  EXPECT_FALSE(obs.Find(kTap1));
  EXPECT_TRUE(obs.Find(kTap2));
}

TEST_F(IncrementalObserveTest, ANamespaceMadeAgainUnderTheSameNameIsReadAgain) {
  ASSERT_EQ(Sh("ip netns del berth-vm2 && ip netns add berth-vm2").status, 0);
  auto obs = ObserveWith(Changed({}));
  EXPECT_TRUE(obs.Find({lr::kNetns, "", "berth-vm2"}));
  EXPECT_FALSE(obs.Find(kTap2));
}

TEST_F(IncrementalObserveTest, TheFeedNamesTheNamespaceThatChanged) {
  auto feed = drivers::lnx::MakeLinuxChangeFeed();
  ASSERT_TRUE(feed);
  feed->Drain();
  ASSERT_EQ(Sh("ip -n berth-vm2 link set tap0 down").status, 0);
  ASSERT_EQ(Sh("nft add table inet somebody").status, 0);
  reconciler::HostChanges changes;
  // Netlink delivers asynchronously: bounded wait for the notifications to arrive.
  for (int i = 0; i < 200 && !(changes.scopes.count("berth-vm2") && changes.firewall); ++i) {
    changes.Merge(feed->Drain());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(changes.any);
  EXPECT_TRUE(changes.firewall);
  EXPECT_TRUE(changes.scopes.count("berth-vm2"));
  EXPECT_FALSE(changes.scopes.count("berth-vm1"));

  ASSERT_EQ(Sh("ip netns add berth-vm3").status, 0);
  reconciler::HostChanges added;
  for (int i = 0; i < 200 && !added.scopes.count("berth-vm3"); ++i) {
    added.Merge(feed->Drain());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(added.scopes.count("berth-vm3"));
}

// tc events name the VM's namespace; a qdisc on a host device is never berth's and reports nothing. rtnetlink
// queues a notification on its subscribers before it acknowledges the request, so once `tc` has returned the
// event is there to drain: no wait, and the berth netns case shows the same immediacy holds.
TEST_F(IncrementalObserveTest, TheFeedNamesTheNamespaceOfATcChangeAndIgnoresTheHosts) {
  ASSERT_EQ(Sh("ip link add hostv0 type veth peer name hostv1 && ip link set hostv0 up").status, 0);
  auto feed = drivers::lnx::MakeLinuxChangeFeed();
  ASSERT_TRUE(feed);
  for (int i = 0; i < 200 && feed->Drain().any; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_FALSE(feed->Drain().any);

  ASSERT_EQ(Sh("tc qdisc add dev hostv0 root tbf rate 1mbit burst 32kb latency 50ms").status, 0);
  ASSERT_EQ(Sh("tc qdisc change dev hostv0 root tbf rate 2mbit burst 32kb latency 50ms").status, 0);
  EXPECT_FALSE(feed->Drain().any);

  ASSERT_EQ(Sh("tc -n berth-vm2 qdisc add dev tap0 root tbf rate 1mbit burst 32kb latency 50ms").status, 0);
  reconciler::HostChanges qdisc = feed->Drain();
  EXPECT_EQ(qdisc.scopes, std::set<std::string>{"berth-vm2"});
  ASSERT_EQ(Sh("tc -n berth-vm1 filter del dev eth0 ingress").status, 0);
  reconciler::HostChanges filter = feed->Drain();
  EXPECT_EQ(filter.scopes, std::set<std::string>{"berth-vm1"});
}

}  // namespace
}  // namespace berth::itest
