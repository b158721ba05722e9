// Observation against the real kernel: what the driver applied reads back equal (every desired attribute,
// ownership kOwned), ownership of look-alikes, deleting a netns takes everything in it, host facts.
#include <gtest/gtest.h>

#include <algorithm>

#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

namespace lr = reconciler::linux_res;
using reconciler::Op;
using reconciler::Ownership;

class ObserveTest : public SandboxTest {
 protected:
  std::vector<reconciler::Resource> Desired() {
    std::vector<reconciler::Resource> all = BridgeResources("fcbr0", "10.168.0.1/24", "1400");
    for (auto& r : VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02", "1400")) all.push_back(r);
    for (auto& r : VmResources("vm2", "fcbr0", "06:00:0a:a8:00:03", "1400")) all.push_back(r);
    all.push_back(Res(lr::kLink, "berth-vm2", "tap0",
                      {{lr::kType, "tap"}, {lr::kUp, "true"}, {lr::kMtu, "1400"}, {lr::kOwnerUid, "123"},
                       {lr::kOwnerGid, "456"}}, "VM/vm2"));
    all.erase(std::find_if(all.begin(), all.end(), [](const reconciler::Resource& r) {
      return r.key == reconciler::ResourceKey{lr::kLink, "berth-vm2", "tap0"} && !r.Attr(lr::kOwnerUid);
    }));
    all.push_back(Res(lr::kNftTable, "", "berth", {}, "NAT/out"));
    all.push_back(Res(lr::kNft, "", "nat/out",
                      {{lr::kChainPostrouting, "ip saddr 10.168.0.0/24 oifname != \"fcbr0\" masquerade"},
                       // A forward of its own, and shared ones whose keys nft lists in an order of its own
                       // (255 after 256): read back in canonical order.
                       {lr::kChainPrerouting,
                        "fib daddr type local tcp dport 8080 dnat ip to 10.168.0.2:80\n"
                        "fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map "
                        "{ tcp . 255 : 10.168.0.3 . 1, tcp . 256 : 10.168.0.2 . 80, udp . 10000 : 10.168.0.2 . 53 }"},
                       {"output",
                        "fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . udp dport map "
                        "{ udp . 256 : 10.168.0.3 . 53, udp . 511 : 10.168.0.2 . 53 }"},
                       {lr::kChainForward,
                        "ip daddr 10.168.0.2 tcp dport 80 ct status dnat accept\n"
                        "ct status dnat ip daddr . meta l4proto . th dport { 10.168.0.2 . tcp . 80, "
                        "10.168.0.2 . udp . 53, 10.168.0.3 . tcp . 1 } accept"}},
                      "NAT/out"));
    all.push_back(Res(lr::kNft, "", "vm/vm2",
                      {{lr::kChainForward, "ip daddr 10.168.0.3 ct state established,related accept\n"
                                           "ip daddr 10.168.0.3 iifname != \"fcbr0\" drop"}},
                      "VM/vm2"));
    all.push_back(Res(lr::kSysctl, "", "net.ipv4.ip_forward", {{lr::kValue, "1"}}, "NAT/out"));
    all.push_back(Res(lr::kFile, "", "/etc/netns/berth-vm1/resolv.conf", {{lr::kContent, "nameserver 9.9.9.9\n"}},
                      "VM/vm1"));
    all.push_back(Res(lr::kLink, "berth-lo", "lo", {{lr::kType, "loopback"}, {lr::kUp, "false"}}, "VM/lo"));
    all.push_back(Res(lr::kNetns, "", "berth-lo", {}, "VM/lo"));
    return all;
  }
};

TEST_F(ObserveTest, AppliedStateReadsBackEqual) {
  auto desired = Desired();
  ApplyAll(*driver_, desired);
  auto obs = ObserveOk(*driver_);
  for (const auto& want : desired) {
    const reconciler::Resource* have = obs.Find(want.key);
    ASSERT_TRUE(have) << want.key.ToString() << " not observed";
    EXPECT_EQ(have->ownership, Ownership::kOwned) << want.key.ToString();
    for (const auto& [field, value] : want.attrs) {
      if (field == lr::kEgress) continue;
      EXPECT_EQ(have->AttrOr(field, "<unset>"), value) << want.key.ToString() << " " << field;
    }
  }
  const reconciler::Resource* veth = obs.Find({lr::kLink, "", "bv-vm1"});
  ASSERT_TRUE(veth);
  EXPECT_EQ(veth->owner, "VM/vm1");
  // eth0 is folded into the host veth, never its own resource.
  EXPECT_FALSE(obs.Find({lr::kLink, "berth-vm1", "eth0"}));
  // Observing twice gives the same answer (plans compare observations).
  auto again = ObserveOk(*driver_);
  EXPECT_EQ(again.resources, obs.resources);
  EXPECT_EQ(again.facts, obs.facts);
}

TEST_F(ObserveTest, OwnershipOfLookAlikes) {
  ASSERT_EQ(Sh("ip link add fcbr9 type bridge && ip link add fcbr8 group " +
               std::to_string(reconciler::kLinkGroup) + " type bridge && ip netns add other && ip netns add berth-x && "
               "ip link add bv-o type veth peer name eth0 netns other")
                .status,
            0);
  auto obs = ObserveOk(*driver_);
  auto own = [&](const std::string& kind, const std::string& scope, const std::string& name) {
    const reconciler::Resource* r = obs.Find({kind, scope, name});
    return r ? std::string(reconciler::ToString(r->ownership)) : std::string("absent");
  };
  EXPECT_EQ(own(lr::kLink, "", "fcbr9"), "unowned");
  EXPECT_EQ(own(lr::kLink, "", "fcbr8"), "marked");
  EXPECT_EQ(own(lr::kNetns, "", "other"), "unowned");
  EXPECT_EQ(own(lr::kNetns, "", "berth-x"), "owned");
  EXPECT_EQ(own(lr::kLink, "berth-x", "lo"), "owned");
  EXPECT_EQ(own(lr::kLink, "", "lo"), "unowned");
  const reconciler::Resource* veth = obs.Find({lr::kLink, "", "bv-o"});
  ASSERT_TRUE(veth);
  EXPECT_EQ(veth->ownership, Ownership::kUnowned);
  EXPECT_EQ(veth->AttrOr(lr::kPeerNetns, "<unset>"), "") << "the peer is not in a berth netns";
  EXPECT_FALSE(obs.Find({lr::kLink, "other", "eth0"})) << "foreign namespaces are never entered";

  // Finishing the tag of a marked link (an update with field "owner") makes it owned.
  auto fix = Res(lr::kLink, "", "fcbr8", {{lr::kType, "bridge"}, {lr::kUp, "false"}}, "Bridge/fcbr8");
  EXPECT_FALSE(ApplyOne(*driver_, fix, Op::kUpdate, {"owner"}));
  obs = ObserveOk(*driver_);
  EXPECT_EQ(own(lr::kLink, "", "fcbr8"), "owned");
  EXPECT_EQ(obs.Find({lr::kLink, "", "fcbr8"})->owner, "Bridge/fcbr8");
}

TEST_F(ObserveTest, DeletingTheNetnsRemovesTapFiltersAndBothVethEnds) {
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  ApplyAll(*driver_, VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02"));
  ASSERT_EQ(Sh("ip link show bv-vm1").status, 0);
  EXPECT_FALSE(ApplyOne(*driver_, Res(lr::kNetns, "", "berth-vm1", {}), Op::kDelete));
  // The host end is gone when the step returns: the same VM can be created again at once.
  EXPECT_NE(Sh("ip link show bv-vm1").status, 0);
  EXPECT_EQ(Sh("ip netns list").out.find("berth-vm1"), std::string::npos);
  auto obs = ObserveOk(*driver_);
  for (const auto& r : obs.resources) {
    EXPECT_NE(r.key.scope, "berth-vm1") << r.key.ToString();
    EXPECT_NE(r.key.name, "bv-vm1") << r.key.ToString();
  }
  ApplyAll(*driver_, VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02"));
  EXPECT_EQ(Sh("ip -n berth-vm1 link show tap0").status, 0);
}

TEST_F(ObserveTest, HostFacts) {
  ASSERT_EQ(Sh("ip link add ext0 type veth peer name ext1 && ip addr add 192.168.77.5/24 dev ext0 && "
               "ip link set ext0 up && ip link set ext1 up && ip route add 172.30.0.0/16 dev ext0")
                .status,
            0);
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  ASSERT_EQ(Sh("ip link set fcbr0 up").status, 0);
  auto obs = ObserveOk(*driver_);
  std::vector<std::string> where;
  for (const auto& f : obs.facts.foreign_networks) where.push_back(f.network.ToString() + " " + f.where);
  EXPECT_EQ(where, (std::vector<std::string>{"172.30.0.0/16 route 172.30.0.0/16 dev ext0",
                                             "192.168.77.0/24 address 192.168.77.5/24 on ext0"}));
  EXPECT_EQ(obs.facts.interfaces, (std::vector<std::string>{"ext0", "ext1", "fcbr0", "lo"}));
  EXPECT_TRUE(obs.facts.missing_features.empty()) << obs.facts.missing_features[0];
  // Unowned addresses are reported with their link's ownership.
  const reconciler::Resource* a = obs.Find({lr::kAddr, "", "ext0/192.168.77.5/24"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ownership, Ownership::kUnowned);
  EXPECT_EQ(obs.Find({lr::kAddr, "", "fcbr0/10.168.0.1/24"})->ownership, Ownership::kOwned);
}

}  // namespace
}  // namespace berth::itest
