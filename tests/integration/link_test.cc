// Driver-level tests of namespaces and links, checked with `ip -j`: netns visible to ip netns, bridge with
// MTU/state/group/alias, veth with its peer in the netns, TAP inside the netns (single queue, persistent).
#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

namespace lr = reconciler::linux_res;
using reconciler::Op;

nlohmann::json Link(const std::string& ns, const std::string& dev) {
  auto j = ShJson(std::string("ip -j -d ") + (ns.empty() ? "" : "-n " + ns + " ") + "link show dev " + dev);
  return j.is_array() && !j.empty() ? j[0] : nlohmann::json();
}

class LinkTest : public SandboxTest {};

TEST_F(LinkTest, NetnsIsVisibleToIpNetnsAndUsable) {
  ApplyAll(*driver_, {Res(lr::kNetns, "", "berth-a", {})});
  EXPECT_NE(Sh("ip netns list").out.find("berth-a"), std::string::npos);
  EXPECT_EQ(Sh("ip netns exec berth-a ip link show lo").status, 0);
  // Creating it again fails with kExists and leaves the namespace alone.
  auto err = ApplyOne(*driver_, Res(lr::kNetns, "", "berth-a", {}), Op::kCreate);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, reconciler::DriverError::Kind::kExists) << err->ToString();
  EXPECT_EQ(Sh("ip -n berth-a link show lo").status, 0);
  ApplyAll(*driver_, {Res(lr::kNetns, "", "berth-a", {})}, Op::kDelete);
  EXPECT_EQ(Sh("ip netns list").out.find("berth-a"), std::string::npos);
}

TEST_F(LinkTest, BridgeHasMtuStateGroupAndAlias) {
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24", "1400"));
  auto br = Link("", "fcbr0");
  ASSERT_TRUE(br.is_object());
  EXPECT_EQ(br["mtu"], 1400);
  EXPECT_EQ(br["linkinfo"]["info_kind"], "bridge");
  EXPECT_NE(br["flags"].dump().find("\"UP\""), std::string::npos);
  // ip prints group names from /etc/iproute2/group, numbers otherwise.
  EXPECT_EQ(br["group"], std::to_string(reconciler::kLinkGroup));
  auto tag = reconciler::ParseOwnerTag(br.value("ifalias", ""));
  ASSERT_TRUE(tag) << br.dump();
  EXPECT_EQ(tag->origin, "Bridge/fcbr0");
  auto addrs = ShJson("ip -j -4 addr show dev fcbr0");
  EXPECT_EQ(addrs[0]["addr_info"][0]["local"], "10.168.0.1");
  EXPECT_EQ(addrs[0]["addr_info"][0]["prefixlen"], 24);
}

TEST_F(LinkTest, VethPeerIsCreatedInsideTheNetnsWithItsMacAndMaster) {
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  ApplyAll(*driver_, VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02", "1450"));
  auto host = Link("", "bv-vm1");
  ASSERT_TRUE(host.is_object());
  EXPECT_EQ(host["master"], "fcbr0");
  EXPECT_EQ(host["mtu"], 1450);
  EXPECT_EQ(host["linkinfo"]["info_kind"], "veth");
  EXPECT_TRUE(reconciler::ParseOwnerTag(host.value("ifalias", "")));
  auto peer = Link("berth-vm1", "eth0");
  ASSERT_TRUE(peer.is_object());
  EXPECT_EQ(peer["address"], "06:00:0a:a8:00:02");
  EXPECT_EQ(peer["mtu"], 1450);
  EXPECT_NE(peer["flags"].dump().find("\"UP\""), std::string::npos);
  EXPECT_EQ(Sh("ip link show eth0").status, 1) << "the peer must not appear on the host";
}

TEST_F(LinkTest, TapIsInsideTheNetnsSingleQueuePersistentWithOwner) {
  ApplyAll(*driver_, {Res(lr::kNetns, "", "berth-t", {})});
  ApplyAll(*driver_, {Res(lr::kLink, "berth-t", "tap0",
                          {{lr::kType, "tap"}, {lr::kUp, "true"}, {lr::kMtu, "1420"}, {lr::kOwnerUid, "1234"},
                           {lr::kOwnerGid, "4321"}})});
  auto tap = Link("berth-t", "tap0");
  ASSERT_TRUE(tap.is_object());
  const auto& info = tap["linkinfo"]["info_data"];
  EXPECT_EQ(info["type"], "tap");
  EXPECT_EQ(info["pi"], false);
  EXPECT_EQ(info["vnet_hdr"], true);
  EXPECT_EQ(info["multi_queue"], false);
  EXPECT_EQ(info["persist"], true);
  EXPECT_EQ(info["user"], 1234);
  EXPECT_EQ(info["group"], 4321);
  EXPECT_EQ(tap["mtu"], 1420);
  EXPECT_EQ(tap["group"], std::to_string(reconciler::kLinkGroup));
  EXPECT_TRUE(reconciler::ParseOwnerTag(tap.value("ifalias", "")));
  EXPECT_EQ(Sh("ip link show tap0").status, 1) << "the TAP must not appear on the host";
  // A second create refuses to adopt the existing device.
  auto err = ApplyOne(*driver_, Res(lr::kLink, "berth-t", "tap0", {{lr::kType, "tap"}}), Op::kCreate);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, reconciler::DriverError::Kind::kExists);
}

TEST_F(LinkTest, UpdateChangesStateMtuAndPeer) {
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  auto vm = VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02");
  ApplyAll(*driver_, vm);
  auto veth = vm[2];
  veth.attrs[lr::kMtu] = "1300";
  veth.attrs[lr::kPeerUp] = "false";
  veth.attrs[lr::kPeerMac] = "06:00:0a:a8:00:09";
  auto err = ApplyOne(*driver_, veth, Op::kUpdate, {lr::kMtu, lr::kPeerUp, lr::kPeerMac});
  EXPECT_FALSE(err) << err->ToString();
  EXPECT_EQ(Link("", "bv-vm1")["mtu"], 1300);
  auto peer = Link("berth-vm1", "eth0");
  EXPECT_EQ(peer["mtu"], 1300);
  EXPECT_EQ(peer["address"], "06:00:0a:a8:00:09");
  EXPECT_EQ(peer["flags"].dump().find("\"UP\""), std::string::npos);
}

TEST_F(LinkTest, ErrorsNameOpAndObject) {
  auto err = ApplyOne(*driver_, Res(lr::kLink, "", "bv-x",
                                    {{lr::kType, "veth"}, {lr::kPeer, "eth0"}, {lr::kPeerNetns, "berth-missing"}}),
                      Op::kCreate);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, reconciler::DriverError::Kind::kNotFound) << err->ToString();
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  err = ApplyOne(*driver_, BridgeResources("fcbr0", "10.168.0.1/24")[0], Op::kCreate);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, reconciler::DriverError::Kind::kExists);
  EXPECT_EQ(err->message, "RTM_NEWLINK: File exists") << err->ToString();
}

}  // namespace
}  // namespace berth::itest
