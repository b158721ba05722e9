// The simulated host's link rules: names, netns, masters, veth pairs, loopback, ownership marks.
#include <cerrno>

#include "tests/unit/drivers/sim/sim_fixture.h"

namespace berth::drivers::sim {
namespace {

using namespace testing;  // NOLINT: test vocabulary

TEST(SimLinks, NamesAreUniquePerNetnsAndAtMostFifteenCharacters) {
  SimHost host;
  EXPECT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Bridge("br0"))), EEXIST);
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Bridge("eth0"))), EEXIST);  // the host's own
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Bridge("a-very-long-name"))), EINVAL);
  EXPECT_FALSE(Do(host, Op::kCreate, Bridge("fifteen-chars-x")));
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  EXPECT_FALSE(Do(host, Op::kCreate, Tap("berth-vm1")));
  EXPECT_EQ(Do(host, Op::kCreate, Tap("berth-vm1"))->kind, DriverError::Kind::kExists);
}

TEST(SimLinks, NetnsMustExistFirst) {
  SimHost host;
  auto err = Do(host, Op::kCreate, Tap("berth-vm1"));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sys_errno, ENOENT);
  EXPECT_EQ(err->kind, DriverError::Kind::kNotFound);
  EXPECT_EQ(err->op, "create");
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1"))), ENOENT);  // the peer's netns too
}

TEST(SimLinks, EnslavingToAMissingBridgeFails) {
  SimHost host;
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1", "br0"))), ENODEV);
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1", "eth0"))), EOPNOTSUPP);  // not a bridge
  ASSERT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  EXPECT_FALSE(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1", "br0")));
}

TEST(SimLinks, VethIsOneResourceWithItsPeerInTheNetns) {
  SimHost host;
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  ASSERT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  Resource veth = Veth("bv-vm1", "berth-vm1", "br0");
  veth.attrs["peer_mac"] = "02:00:00:00:00:01";
  ASSERT_FALSE(Do(host, Op::kCreate, veth));
  auto o = See(host);
  const Resource* r = Find(o, {"link", "", "bv-vm1"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->AttrOr("peer"), "eth0");
  EXPECT_EQ(r->AttrOr("peer_netns"), "berth-vm1");
  EXPECT_EQ(r->AttrOr("peer_mac"), "02:00:00:00:00:01");
  EXPECT_EQ(r->AttrOr("peer_up"), "true");
  EXPECT_EQ(r->AttrOr("master"), "br0");
  EXPECT_EQ(r->ownership, Ownership::kOwned);
  EXPECT_EQ(r->owner, "VM/vm1");
  EXPECT_FALSE(Find(o, {"link", "berth-vm1", "eth0"}));  // folded into the host end
  // The peer's name is taken in its netns.
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, R("link", "berth-vm1", "eth0", {{"type", "tap"}}))), EEXIST);
}

TEST(SimLinks, LoopbackExistsWithItsNetnsDownAndAnUpdateSetsItsState) {
  SimHost host;
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  Resource lo = R("link", "berth-vm1", "lo", {{"type", "loopback"}, {"up", "true"}});
  auto pristine = Find(See(host), lo.key);  // as the kernel makes it: down, and berth's as its netns is
  ASSERT_TRUE(pristine);
  EXPECT_EQ(pristine->AttrOr("up"), "false");
  EXPECT_EQ(pristine->ownership, Ownership::kOwned);
  ASSERT_FALSE(Do(host, Op::kUpdate, lo, {"up"}));
  const auto seen = Find(See(host), lo.key);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->AttrOr("up"), "true");
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, R("link", "berth-vm1", "lo2", {{"type", "loopback"}}))), EOPNOTSUPP);
  ASSERT_FALSE(Do(host, Op::kDelete, *seen));  // hands it back, down
  EXPECT_EQ(Find(See(host), lo.key)->AttrOr("up"), "false");
}

TEST(SimLinks, UpdatesChangeInPlaceAndRefuseIdentityFields) {
  SimHost host;
  ASSERT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  ASSERT_FALSE(Do(host, Op::kCreate, Bridge("br1")));
  Resource br = R("link", "", "br0", {{"type", "bridge"}, {"up", "false"}, {"mtu", "9000"}});
  ASSERT_FALSE(Do(host, Op::kUpdate, br, {"up", "mtu"}));
  const auto seen = Find(See(host), br.key);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->AttrOr("up"), "false");
  EXPECT_EQ(seen->AttrOr("mtu"), "9000");
  EXPECT_EQ(ErrnoOf(Do(host, Op::kUpdate, R("link", "", "br0", {{"type", "veth"}}), {"type"})), EOPNOTSUPP);
  EXPECT_EQ(ErrnoOf(Do(host, Op::kUpdate, R("link", "", "br0", {{"mtu", "20"}}), {"mtu"})), EINVAL);
  EXPECT_EQ(ErrnoOf(Do(host, Op::kUpdate, R("link", "", "nope", {{"up", "true"}}), {"up"})), ENODEV);
}

TEST(SimLinks, DeletingABridgeReleasesItsPorts) {
  SimHost host;
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  ASSERT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  ASSERT_FALSE(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1", "br0")));
  ASSERT_FALSE(Do(host, Op::kDelete, Bridge("br0")));
  const auto veth = Find(See(host), {"link", "", "bv-vm1"});
  ASSERT_TRUE(veth);
  EXPECT_FALSE(veth->Attr("master"));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kDelete, Bridge("br0"))), ENODEV);
}

TEST(SimLinks, DeletingOneVethEndDeletesThePair) {
  SimHost host;
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  ASSERT_FALSE(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1")));
  ASSERT_FALSE(Do(host, Op::kDelete, Veth("bv-vm1", "berth-vm1")));
  // eth0 is free again in the netns.
  EXPECT_FALSE(Do(host, Op::kCreate, R("link", "berth-vm1", "eth0", {{"type", "tap"}})));
}

TEST(SimLinks, OwnershipComesFromGroupAndTag) {
  SimHost host;
  ASSERT_FALSE(host.Seed(Bridge("foreign"), Ownership::kUnowned));
  ASSERT_FALSE(host.Seed(Bridge("leak"), Ownership::kMarked));
  ASSERT_FALSE(host.Seed(R("link", "", "old", {{"type", "bridge"}}, "Bridge/old"), Ownership::kOwned));
  auto o = See(host);
  EXPECT_EQ(Find(o, {"link", "", "foreign"})->ownership, Ownership::kUnowned);
  EXPECT_EQ(Find(o, {"link", "", "leak"})->ownership, Ownership::kMarked);
  EXPECT_EQ(Find(o, {"link", "", "old"})->ownership, Ownership::kOwned);
  EXPECT_EQ(Find(o, {"link", "", "old"})->owner, "Bridge/old");
  EXPECT_EQ(Find(o, {"link", "", "eth0"})->ownership, Ownership::kUnowned);
  // The alias can only be set on an existing link: an update with "owner" completes the tag.
  ASSERT_FALSE(Do(host, Op::kUpdate, R("link", "", "leak", {{"type", "bridge"}}, "Bridge/leak"), {"owner"}));
  EXPECT_EQ(Find(See(host), {"link", "", "leak"})->owner, "Bridge/leak");
}

}  // namespace
}  // namespace berth::drivers::sim
