// The simulated host's rules for netns, addresses, tc, nftables, sysctls and files, and its observation.
#include <cerrno>

#include "tests/unit/drivers/sim/sim_fixture.h"

namespace berth::drivers::sim {
namespace {

using namespace testing;  // NOLINT: test vocabulary

/// A VM's worth of objects: netns, bridge, veth on it, tap, tc both ways, bridge address.
void BuildVm(SimHost& host) {
  for (const Resource& r : {Netns("berth-vm1"), Bridge("br0"), Veth("bv-vm1", "berth-vm1", "br0"), Tap("berth-vm1"),
                            Tc("berth-vm1", "eth0", "tap0"), Tc("berth-vm1", "tap0", "eth0"),
                            Addr("", "br0", "10.168.0.1/24")})
    ASSERT_FALSE(Do(host, Op::kCreate, r)) << r.key.ToString();
}

TEST(SimRules, AddressNeedsItsLink) {
  SimHost host;
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Addr("", "br0", "10.0.0.1/24"))), ENODEV);
  ASSERT_FALSE(Do(host, Op::kCreate, Bridge("br0")));
  EXPECT_FALSE(Do(host, Op::kCreate, Addr("", "br0", "10.0.0.1/24")));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Addr("", "br0", "10.0.0.1/24"))), EEXIST);
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Addr("", "br0", "10.0.0.300/24"))), EINVAL);
  EXPECT_FALSE(Do(host, Op::kDelete, Addr("", "br0", "10.0.0.1/24")));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kDelete, Addr("", "br0", "10.0.0.1/24"))), EADDRNOTAVAIL);
}

TEST(SimRules, TcNeedsBothLinks) {
  SimHost host;
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Tc("berth-vm1", "eth0", "tap0"))), ENOENT);
  ASSERT_FALSE(Do(host, Op::kCreate, Netns("berth-vm1")));
  ASSERT_FALSE(Do(host, Op::kCreate, Veth("bv-vm1", "berth-vm1")));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Tc("berth-vm1", "eth0", "tap0"))), ENODEV);
  ASSERT_FALSE(Do(host, Op::kCreate, Tap("berth-vm1")));
  EXPECT_FALSE(Do(host, Op::kCreate, Tc("berth-vm1", "eth0", "tap0")));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, Tc("berth-vm1", "eth0", "tap0"))), EEXIST);
  const auto tc = Find(See(host), {"tc", "berth-vm1", "eth0"});
  ASSERT_TRUE(tc);
  EXPECT_EQ(tc->AttrOr("redirect_to"), "tap0");
  EXPECT_EQ(tc->ownership, Ownership::kOwned);  // through the veth that carries eth0
}

TEST(SimRules, DeletingANetnsTakesEverythingInsideAndTheHostVethEnd) {
  SimHost host;
  BuildVm(host);
  ASSERT_FALSE(Do(host, Op::kDelete, Netns("berth-vm1")));
  auto o = See(host);
  for (const Resource& r : o.resources) EXPECT_NE(r.key.scope, "berth-vm1") << r.key.ToString();
  EXPECT_FALSE(Find(o, {"netns", "", "berth-vm1"}));
  EXPECT_FALSE(Find(o, {"link", "", "bv-vm1"}));
  EXPECT_TRUE(Find(o, {"link", "", "br0"}));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kDelete, Netns("berth-vm1"))), ENOENT);
}

TEST(SimRules, DeletingALinkTakesItsAddressesAndTc) {
  SimHost host;
  BuildVm(host);
  ASSERT_FALSE(Do(host, Op::kDelete, Tap("berth-vm1")));
  ASSERT_FALSE(Do(host, Op::kDelete, Bridge("br0")));
  auto o = See(host);
  EXPECT_FALSE(Find(o, {"addr", "", "br0/10.168.0.1/24"}));
  EXPECT_FALSE(Find(o, {"tc", "berth-vm1", "tap0"}));
  EXPECT_FALSE(Find(o, {"tc", "berth-vm1", "eth0"}));  // its redirect target is gone
}

TEST(SimRules, NftGroupsLiveInTableBerth) {
  SimHost host;
  Resource group = R("nft", "", "nat/out", {{"postrouting", "ip saddr 10.0.0.0/24 masquerade"}, {"egress", "eth0"}}, "NAT/out");
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, group)), ENOENT);
  ASSERT_FALSE(Do(host, Op::kCreate, R("nfttable", "", "berth")));
  ASSERT_FALSE(Do(host, Op::kCreate, group));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, group)), EEXIST);
  ASSERT_FALSE(host.Seed(R("nfttable", "", "filter")));
  auto o = See(host);
  const Resource* seen = Find(o, group.key);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->attrs, (Attrs{{"postrouting", "ip saddr 10.0.0.0/24 masquerade"}}));  // egress: desired only
  EXPECT_EQ(seen->owner, "NAT/out");
  EXPECT_EQ(Find(o, {"nfttable", "", "berth"})->ownership, Ownership::kOwned);
  EXPECT_EQ(Find(o, {"nfttable", "", "filter"})->ownership, Ownership::kUnowned);
  ASSERT_FALSE(Do(host, Op::kDelete, R("nfttable", "", "berth")));
  EXPECT_FALSE(Find(See(host), group.key));
}

TEST(SimRules, SysctlsExistAndAreNeverDeleted) {
  SimHost host;
  Resource forward = R("sysctl", "", "net.ipv4.ip_forward", {{"value", "1"}}, "NAT/out");
  EXPECT_EQ(Find(See(host), forward.key)->AttrOr("value"), "0");
  EXPECT_EQ(Find(See(host), forward.key)->ownership, Ownership::kUnowned);
  ASSERT_FALSE(Do(host, Op::kUpdate, forward, {"value"}));
  EXPECT_EQ(Find(See(host), forward.key)->AttrOr("value"), "1");
  EXPECT_EQ(ErrnoOf(Do(host, Op::kDelete, forward)), EOPNOTSUPP);
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, R("sysctl", "", "net.nope", {{"value", "1"}}))), ENOENT);
}

TEST(SimRules, FilesAreBerthsByTheirDirectory) {
  SimHost host;
  Resource resolv = R("file", "", "/etc/netns/berth-vm1/resolv.conf", {{"content", "nameserver 1.1.1.1\n"}});
  ASSERT_FALSE(Do(host, Op::kCreate, resolv));  // before its netns: the directory is made on the way
  EXPECT_EQ(ErrnoOf(Do(host, Op::kCreate, resolv)), EEXIST);
  ASSERT_FALSE(host.Seed(R("file", "", "/etc/netns/other/resolv.conf", {{"content", "x"}})));
  auto o = See(host);
  EXPECT_EQ(Find(o, resolv.key)->ownership, Ownership::kOwned);
  EXPECT_EQ(Find(o, {"file", "", "/etc/netns/other/resolv.conf"})->ownership, Ownership::kUnowned);
  ASSERT_FALSE(Do(host, Op::kDelete, resolv));
  EXPECT_EQ(ErrnoOf(Do(host, Op::kDelete, resolv)), ENOENT);
}

TEST(SimRules, ObservationIsSortedAndHasHostFacts) {
  SimHost host;
  BuildVm(host);
  ASSERT_FALSE(host.Seed(Netns("other")));
  host.AddFacts({.foreign_networks = {}, .interfaces = {}, .missing_features = {"tun"}, .foreign_drop_chains = {}, .launch_blockers = {}});
  auto o = See(host);
  for (size_t i = 1; i < o.resources.size(); ++i) EXPECT_LT(o.resources[i - 1].key, o.resources[i].key);
  EXPECT_EQ(Find(o, {"netns", "", "other"})->ownership, Ownership::kUnowned);
  EXPECT_EQ(Find(o, {"netns", "", "berth-vm1"})->ownership, Ownership::kOwned);
  EXPECT_EQ(o.facts.missing_features, std::vector<std::string>{"tun"});
  ASSERT_FALSE(o.facts.foreign_networks.empty());
  bool eth0_network = false;
  for (const auto& n : o.facts.foreign_networks) eth0_network |= n.network.ToString() == "192.0.2.0/24";
  EXPECT_TRUE(eth0_network);
  EXPECT_NE(std::find(o.facts.interfaces.begin(), o.facts.interfaces.end(), "eth0"), o.facts.interfaces.end());
}

TEST(SimRules, DriftAndRemovalBehindBerthsBack) {
  SimHost host;
  BuildVm(host);
  host.ClearLog();
  ASSERT_FALSE(host.Mutate({"link", "", "br0"}, "up", "false"));
  EXPECT_EQ(Find(See(host), {"link", "", "br0"})->AttrOr("up"), "false");
  ASSERT_FALSE(host.Mutate({"link", "", "bv-vm1"}, "master", ""));
  EXPECT_FALSE(Find(See(host), {"link", "", "bv-vm1"})->Attr("master"));
  ASSERT_FALSE(host.Remove({"link", "berth-vm1", "tap0"}));
  EXPECT_FALSE(Find(See(host), {"tc", "berth-vm1", "tap0"}));
  EXPECT_TRUE(host.log().empty());  // helpers are not actions
}

}  // namespace
}  // namespace berth::drivers::sim
