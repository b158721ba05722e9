// Packets flow through what the driver built: a test guest on tap0 (as Firecracker attaches to it) ARPs for
// and pings the bridge gateway through the tc redirect and the veth, and two VMs on one bridge reach each
// other.
#include <gtest/gtest.h>

#include "tests/integration/guest.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

class PacketTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
    ApplyAll(*driver_, VmResources("vm1", "fcbr0", kMac1));
    ApplyAll(*driver_, VmResources("vm2", "fcbr0", kMac2));
    // A new bridge port forwards once the kernel's link watcher has seen its carrier (up to about a second).
    for (const char* port : {"bv-vm1", "bv-vm2"}) {
      EXPECT_EQ(Sh(std::string("for i in $(seq 50); do [ \"$(cat /sys/class/net/") + port +
                   "/brport/state)\" = 3 ] && exit 0; sleep 0.1; done; exit 1")
                    .status,
                0)
          << port << " never reached the forwarding state";
    }
  }
  /// Attaching a guest turns the TAP's carrier on; the kernel activates its queue asynchronously, as it does
  /// while a real guest boots. Frames sent to it before that are dropped.
  static void WaitTapReady(const std::string& ns) {
    for (int i = 0; i < 50; ++i) {
      auto j = ShJson("ip -j -n " + ns + " link show dev tap0");
      if (j.is_array() && !j.empty() && j[0].value("operstate", "") == "UP" && j[0].value("qdisc", "") != "noop") return;
      Sh("sleep 0.05");
    }
    ADD_FAILURE() << "tap0 in " << ns << " never became ready";
  }
  static constexpr const char* kMac1 = "06:00:0a:a8:00:02";
  static constexpr const char* kMac2 = "06:00:0a:a8:00:03";
};

TEST_F(PacketTest, GuestReachesTheGatewayByArpAndIcmp) {
  Guest g("berth-vm1", "tap0", kMac1, "10.168.0.2");
  ASSERT_TRUE(g.ok()) << g.error();
  WaitTapReady("berth-vm1");
  auto gw = g.Arp("10.168.0.1");
  ASSERT_TRUE(gw) << "no ARP reply from the bridge gateway";
  auto bridge_mac = ShJson("ip -j link show dev fcbr0")[0]["address"].get<std::string>();
  EXPECT_EQ(*gw, ParseMacBytes(bridge_mac));

  ASSERT_TRUE(g.Ping("10.168.0.1", *gw, 0x4242));
  auto reply = g.Receive([&](const Frame& f) {
    return Guest::IsIcmp(f, 0, ParseIp("10.168.0.1"), ParseIp("10.168.0.2"), 0x4242);
  });
  EXPECT_TRUE(reply) << "no ICMP echo reply from the gateway";
  // The host learnt the guest's address with the VM's MAC (the veth peer's).
  EXPECT_NE(Sh("ip neigh show dev fcbr0").out.find(kMac1), std::string::npos);
}

TEST_F(PacketTest, TwoVmsOnOneBridgeReachEachOther) {
  Guest g1("berth-vm1", "tap0", kMac1, "10.168.0.2");
  Guest g2("berth-vm2", "tap0", kMac2, "10.168.0.3");
  ASSERT_TRUE(g1.ok() && g2.ok()) << g1.error() << g2.error();
  WaitTapReady("berth-vm1");
  WaitTapReady("berth-vm2");
  // vm1's broadcast reaches vm2's TAP; vm2 answers (Receive replies to ARP for its address).
  ASSERT_TRUE(g1.Send(Guest::ArpFrame(g1.mac(), ParseIp("10.168.0.2"), MacBytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                                      ParseIp("10.168.0.3"), 1)));
  auto seen = g2.Receive([](const Frame& f) { return Guest::IsArp(f, 1, ParseIp("10.168.0.2"), ParseIp("10.168.0.3")); });
  ASSERT_TRUE(seen) << "vm2 never saw vm1's ARP request";
  auto answer = g1.Receive([](const Frame& f) { return Guest::IsArp(f, 2, ParseIp("10.168.0.3"), ParseIp("10.168.0.2")); });
  ASSERT_TRUE(answer) << "vm1 never got vm2's ARP reply";

  ASSERT_TRUE(g1.Ping("10.168.0.3", g2.mac(), 7));
  auto echo = g2.Receive([](const Frame& f) {
    return Guest::IsIcmp(f, 8, ParseIp("10.168.0.2"), ParseIp("10.168.0.3"), 7);
  });
  EXPECT_TRUE(echo) << "vm1's echo request never reached vm2's TAP";
}

}  // namespace
}  // namespace berth::itest
