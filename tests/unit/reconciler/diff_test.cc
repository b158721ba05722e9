// The diff against the Linux platform: every action, ownership rules, containment and replacement.
#include "reconciler/diff.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_platform.h"
#include "reconciler/half_made.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

class DiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
    manifest_.vms.push_back(testing::MakeVm("vm1", "fcbr0"));
    desired_ = platform_->Expand(manifest_, Allocate(manifest_, {}).allocations);
    for (Resource r : desired_.resources) {  // a converged host
      r.owner = r.provenance.origin();
      r.provenance = {};
      host_.resources.push_back(r);
    }
  }
  ChangeSet Diff() { return ComputeDiff(*platform_, desired_, host_, {kIds, kIds}); }
  const std::vector<std::string> kIds = {"Bridge/fcbr0", "VM/vm1"};
  Resource& HostObject(const ResourceKey& k) {
    for (auto& r : host_.resources)
      if (r.key == k) return r;
    throw std::runtime_error("no " + k.ToString());
  }
  // A copy: callers pass the change set of a Diff() that ends with their statement.
  Change ChangeOf(const ChangeSet& set, const ResourceKey& k) {
    for (const auto& c : set.changes)
      if (c.key() == k) return c;
    throw std::runtime_error("no change for " + k.ToString());
  }

  std::unique_ptr<Platform> platform_ = MakeLinuxPlatform();
  model::Manifest manifest_;
  DesiredState desired_;
  ObservedState host_;
};

TEST_F(DiffTest, ConvergedHostNeedsNoChangeAndCountsWhatMatches) {
  const ChangeSet set = Diff();
  for (const auto& c : set.changes) ADD_FAILURE() << c.key().ToString() << ": " << ToString(c.action);
  EXPECT_EQ(set.unchanged, desired_.resources.size());
}

TEST_F(DiffTest, OnlyDriftedKeysGetAChange) {
  HostObject({"netns", "", "berth-vm1"}).attrs["mtu"] = "1280";  // a field nothing desires: still converged
  Resource& drifted = HostObject({"link", "", "fcbr0"});
  drifted.attrs["up"] = "false";
  const ChangeSet set = Diff();
  ASSERT_EQ(set.changes.size(), 1u);
  EXPECT_EQ(set.changes[0].key(), drifted.key);
  ASSERT_TRUE(set.changes[0].before && set.changes[0].after);
  EXPECT_EQ(set.changes[0].before->AttrOr("up"), "false");
  EXPECT_EQ(set.changes[0].action, ChangeAction::kUpdate);
  EXPECT_EQ(set.unchanged, desired_.resources.size() - 1);
}

TEST_F(DiffTest, EmptyHostCreatesEverythingButWhatComesWithTheNetns) {
  host_.resources.clear();
  auto set = Diff();
  ASSERT_EQ(set.changes.size(), desired_.resources.size());
  const ResourceKey lo{"link", "berth-vm1", "lo"};
  for (const auto& c : set.changes)
    EXPECT_EQ(c.action, c.key() == lo ? ChangeAction::kUpdate : ChangeAction::kCreate) << c.key().ToString();
  // A new netns has its lo, down: the plan brings it up instead of creating it.
  const Change up = ChangeOf(set, lo);
  EXPECT_EQ(up.action, ChangeAction::kUpdate);
  EXPECT_EQ(up.fields, std::vector<std::string>{"up"});
  ASSERT_TRUE(up.before);
  EXPECT_EQ(up.before->AttrOr("up"), "false");
}

TEST_F(DiffTest, ADisabledVmsLoNeedsNoStepInANewNetns) {
  manifest_.vms[0].network.mode = model::NetworkMode::kDisabled;
  desired_ = platform_->Expand(manifest_, Allocate(manifest_, {}).allocations);
  host_.resources.clear();
  auto set = Diff();
  for (const auto& c : set.changes) EXPECT_NE(c.key().name, "lo") << ToString(c.action);
  EXPECT_EQ(set.unchanged, 1u);
}

TEST_F(DiffTest, AReplacedNetnsBringsItsLoAgain) {
  // A netns that is replaced (half-made) takes its old lo along; the new one's lo is brought up, not created.
  HostObject({"netns", "", "berth-vm1"}).attrs[kBrokenAttr] = "interrupted";
  auto set = Diff();
  EXPECT_EQ(ChangeOf(set, {"netns", "", "berth-vm1"}).action, ChangeAction::kReplace);
  const Change lo = ChangeOf(set, {"link", "berth-vm1", "lo"});
  EXPECT_EQ(lo.action, ChangeAction::kUpdate);
  EXPECT_FALSE(lo.removed_with);
}

TEST_F(DiffTest, ALoMissingFromAnExistingNetnsIsCreated) {
  // Only a container the plan creates brings its lo along; an lo the observation lacks elsewhere is made.
  auto& rs = host_.resources;
  rs.erase(std::remove_if(rs.begin(), rs.end(), [](const Resource& r) { return r.key.name == "lo"; }), rs.end());
  EXPECT_EQ(ChangeOf(Diff(), {"link", "berth-vm1", "lo"}).action, ChangeAction::kCreate);
}

TEST_F(DiffTest, DriftIsAnUpdateNamingTheField) {
  HostObject({"link", "", "fcbr0"}).attrs["up"] = "false";
  const Change c = ChangeOf(Diff(), {"link", "", "fcbr0"});
  EXPECT_EQ(c.action, ChangeAction::kUpdate);
  EXPECT_EQ(c.fields, std::vector<std::string>{"up"});
}

TEST_F(DiffTest, ImmutableFieldReplacesAndTakesDependentsAlong) {
  HostObject({"link", "", "bv-vm1"}).attrs["peer"] = "eth9";
  auto set = Diff();
  EXPECT_EQ(ChangeOf(set, {"link", "", "bv-vm1"}).action, ChangeAction::kReplace);
  // The tc filter on eth0 lives on the veth's peer: it goes with the replaced veth and is created again.
  const Change tc = ChangeOf(set, {"tc", "berth-vm1", "eth0"});
  EXPECT_EQ(tc.action, ChangeAction::kCreate);
  ASSERT_TRUE(tc.removed_with);
  EXPECT_EQ(tc.removed_with->ToString(), "link:/bv-vm1");
  // It was converged until the passes promoted it: it still carries both records, and the promoted changes
  // (made after the others) are back in key order.
  ASSERT_TRUE(tc.before && tc.after);
  EXPECT_EQ(tc.before->AttrOr("redirect_to"), "tap0");
  EXPECT_EQ(tc.after->provenance.origin(), "VM/vm1");
  EXPECT_TRUE(std::is_sorted(set.changes.begin(), set.changes.end(),
                             [](const Change& a, const Change& b) { return a.key() < b.key(); }));
  EXPECT_EQ(set.unchanged + set.changes.size(), desired_.resources.size());
}

TEST_F(DiffTest, UnownedNameIsAConflictNeverATakeover) {
  Resource& bridge = HostObject({"link", "", "fcbr0"});
  bridge.ownership = Ownership::kUnowned;
  bridge.owner.clear();
  auto set = Diff();
  EXPECT_EQ(ChangeOf(set, {"link", "", "fcbr0"}).action, ChangeAction::kConflict);
  ASSERT_EQ(set.conflicts.size(), 1u);
  EXPECT_NE(set.conflicts[0].message.find("does not own"), std::string::npos);
}

TEST_F(DiffTest, UnownedLeftoversAreIgnored) {
  host_.resources.push_back({{"link", "", "mybr0"}, {{"type", "bridge"}}, Ownership::kUnowned, "", {}});
  host_.Sort();
  for (const auto& c : Diff().changes) EXPECT_NE(c.key().name, "mybr0");
}

TEST_F(DiffTest, RemovedVmIsDeletedAndItsInsidesGoWithTheNetns) {
  desired_ = platform_->Expand(model::Manifest{manifest_.bridges, {}, {}, {}}, {});
  auto set = ComputeDiff(*platform_, desired_, host_, {{"Bridge/fcbr0"}, kIds});
  const Change ns = ChangeOf(set, {"netns", "", "berth-vm1"});
  EXPECT_EQ(ns.action, ChangeAction::kDelete);
  EXPECT_FALSE(ns.removed_with);
  for (const char* key : {"tap0", "lo"}) {
    const Change c = ChangeOf(set, {"link", "berth-vm1", key});
    EXPECT_EQ(c.action, ChangeAction::kDelete);
    ASSERT_TRUE(c.removed_with) << key;
    EXPECT_EQ(c.removed_with->ToString(), "netns:/berth-vm1");
  }
  EXPECT_TRUE(ChangeOf(set, {"link", "", "bv-vm1"}).removed_with);  // the host end dies with its peer
}

TEST_F(DiffTest, MarkWithoutTagIsCollectedWhenUndesiredAndRetaggedWhenDesired) {
  host_.resources.push_back({{"link", "", "bv-ghost"}, {{"type", "veth"}}, Ownership::kMarked, "", {}});
  Resource& veth = HostObject({"link", "", "bv-vm1"});
  veth.ownership = Ownership::kMarked;
  veth.owner.clear();
  host_.Sort();
  auto set = Diff();
  EXPECT_EQ(ChangeOf(set, {"link", "", "bv-ghost"}).action, ChangeAction::kCollect);
  const Change retag = ChangeOf(set, {"link", "", "bv-vm1"});
  EXPECT_EQ(retag.action, ChangeAction::kUpdate);
  EXPECT_EQ(retag.fields, std::vector<std::string>{"owner"});
}

TEST_F(DiffTest, NetnsOfAVmBerthNeverAppliedIsALeak) {
  host_.resources.push_back({{"netns", "", "berth-ghost"}, {}, Ownership::kOwned, "", {}});
  host_.Sort();
  const Change c = ChangeOf(Diff(), {"netns", "", "berth-ghost"});
  EXPECT_EQ(c.action, ChangeAction::kCollect);
  EXPECT_NE(c.reason.find("VM/ghost"), std::string::npos);
}

TEST_F(DiffTest, SettingsAreNeverCollectedAndNeverConflict) {
  host_.resources.push_back({{"sysctl", "", "net.ipv4.ip_forward"}, {{"value", "0"}}, Ownership::kUnowned, "", {}});
  host_.Sort();
  for (const auto& c : Diff().changes) EXPECT_NE(c.key().kind, "sysctl");
}

TEST_F(DiffTest, HostChecksFlagOverlapsAndMissingFeatures) {
  host_.facts.foreign_networks.push_back({*model::Cidr4::Parse("10.0.0.0/8"), "route 10.0.0.0/8 dev wg0"});
  host_.facts.missing_features.push_back("tun");
  auto set = Diff();
  ASSERT_EQ(set.conflicts.size(), 2u);
  EXPECT_NE(set.conflicts[0].message.find("wg0"), std::string::npos);
  EXPECT_NE(set.conflicts[1].message.find("tun"), std::string::npos);
}

// A crash between creating /run/netns/berth-vm1 and mounting a namespace on it leaves a plain file: the
// observer marks it half-made, and the diff must replace it (an "update" of a netns does nothing at all).
TEST_F(DiffTest, HalfMadeObjectIsReplacedNeverUpdated) {
  Resource& ns = HostObject({"netns", "", "berth-vm1"});
  ns.ownership = Ownership::kMarked;
  ns.attrs[kBrokenAttr] = "a file with no namespace mounted on it";
  const ChangeSet set = Diff();
  const Change c = ChangeOf(set, ns.key);
  EXPECT_EQ(c.action, ChangeAction::kReplace);
  EXPECT_NE(c.reason.find("half-made"), std::string::npos) << c.reason;
}

}  // namespace
}  // namespace berth::reconciler
