// Packet rates on the real kernel, through the berth binary: a test guest on the VM's TAP floods small UDP
// packets to a socket on the host and the host floods the guest; the receivers see the configured packet rate
// (within 15 %) in each direction, and clearly more without it. A changed rate is an in-place update (same
// devices, same filter), and a policer deleted, changed or displaced by someone is repaired by the next apply.
// On a kernel without act_police (CONFIG_NET_ACT_POLICE) the plan must stop with a conflict and change nothing;
// the measuring tests need the policer and say so when the kernel lacks it.
#include <gtest/gtest.h>

#include <iostream>

#include "tests/integration/bandwidth_env.h"
#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

constexpr const char* kBridge = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: ppsbr0}
spec: {address: 10.184.0.1/24}
)";
constexpr const char* kVmIp = "10.184.0.10";
constexpr const char* kHostIp = "10.184.0.1";
constexpr size_t kSmall = 18;  // 60-byte frames, the Ethernet minimum
// Distinct rates per direction, so a policer on the wrong device shows.
constexpr double kEgressPps = 2000, kIngressPps = 1000;

std::string VmYaml(const std::string& bandwidth) {
  return std::string("apiVersion: berth/v1\nkind: VM\nmetadata: {name: pps1}\nspec:\n  network:\n") +
         "    bridge: ppsbr0\n    address: 10.184.0.10/24\n    mode: outbound\n" +
         "    policy: {host: [{protocol: udp, port: 5001}]}\n" + (bandwidth.empty() ? "" : "    bandwidth: " + bandwidth + "\n");
}

/// Whether this kernel has act_police with packet rates: a police action in a throwaway namespace.
bool KernelHasPolice() {
  return Sh("unshare -n tc actions add action police pkts_rate 100 pkts_burst 10 conform-exceed drop/continue").status == 0;
}

/// berth's filter (priority 3047) on DEV's ingress hook in berth-pps1, as tc -j reports its nodes.
nlohmann::json PoliceFilters(const std::string& dev) {
  auto j = ShJson("tc -j -n berth-pps1 filter show dev " + dev + " ingress prio 3047");
  return j.is_array() ? j : nlohmann::json::array();
}

/// berth's police action on DEV as `tc -j actions` reports it (index 0xbe70001 on tap0, 0xbe70002 on eth0).
nlohmann::json PoliceAction(const std::string& dev) {
  const std::string index = dev == "tap0" ? "199688193" : "199688194";
  auto j = ShJson("tc -j -n berth-pps1 actions get action police index " + index);
  if (!j.is_array() || j.empty()) return nlohmann::json();
  auto acts = j[0].value("actions", nlohmann::json::array());
  return acts.empty() ? nlohmann::json() : acts[0];
}

int IfIndex(const std::string& dev) {
  auto j = ShJson("ip -j -n berth-pps1 link show dev " + dev);
  return j.is_array() && !j.empty() ? j[0].value("ifindex", 0) : 0;
}

class PpsTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    berth_.WriteManifest("bridge.yaml", kBridge);
  }
  void RequirePolice() {
    if (!KernelHasPolice())
      GTEST_SKIP() << "this kernel has no act_police with packet rates (CONFIG_NET_ACT_POLICE, 5.14+): "
                      "PpsTest.WithoutActPoliceThePlanStopsAndChangesNothing covers it";
  }
  void Apply(const std::string& bandwidth) {
    berth_.WriteManifest("vm.yaml", VmYaml(bandwidth));
    auto r = berth_.Run("apply -f " + berth_.manifests());
    ASSERT_EQ(r.status, 0) << r.out;
  }
  std::string Plan() const { return berth_.Run("plan -f " + berth_.manifests()).out; }

  /// Floods both ways with small packets and a fresh guest; each sender aims at 4x the reference rate.
  void Flood(double egress_pps, double ingress_pps, FloodResult& out, FloodResult& in) {
    ASSERT_TRUE(WaitBridgePortForwarding("bv-pps1")) << "bv-pps1 never forwarded";
    const std::string mac = berth_.Vms()["pps1"].value("mac", "");
    ASSERT_FALSE(mac.empty());
    Guest guest("berth-pps1", "tap0", mac, kVmIp);
    ASSERT_TRUE(guest.ok()) << guest.error();
    for (int i = 0;; ++i) {
      auto j = ShJson("ip -j -n berth-pps1 link show dev tap0");
      if (j.is_array() && !j.empty() && j[0].value("operstate", "") == "UP") break;
      ASSERT_LT(i, 50) << "tap0 never came up with the guest attached";
      Sh("sleep 0.05");
    }
    // Static neighbours both ways: no ARP through the policers (and none to wait for).
    ASSERT_EQ(Sh(std::string("ip neigh replace ") + kVmIp + " lladdr " + mac + " dev ppsbr0 nud permanent").status, 0);
    const MacBytes gw = ParseMacBytes(ShJson("ip -j link show dev ppsbr0")[0]["address"].get<std::string>());
    const double bits = FrameBits(kSmall);
    out = FloodFromGuest(guest, kVmIp, kHostIp, gw, FloodSpec{.offer_bits = 4 * egress_pps * bits, .payload = kSmall});
    in = FloodToGuest(guest, kVmIp, FloodSpec{.offer_bits = 4 * ingress_pps * bits, .payload = kSmall});
    ASSERT_TRUE(out.error.empty()) << out.error;
    ASSERT_TRUE(in.error.empty()) << in.error;
    // A slow sender would make any limit look honoured: it must have offered well above the limit.
    ASSERT_GE(out.offered / bits, 1.6 * egress_pps) << "the guest could only send " << out.offered / bits << " packets/s";
    ASSERT_GE(in.offered / bits, 1.6 * ingress_pps) << "the host could only send " << in.offered / bits << " packets/s";
  }
  BerthCli berth_;
};

void ExpectNear(double measured_pps, double configured, const char* what) {
  std::cout << "[ measured ] " << what << ": " << measured_pps << " packets/s, limit " << configured << "\n";
  EXPECT_NEAR(measured_pps / configured, 1.0, 0.15)
      << what << ": measured " << measured_pps << " packets/s against a limit of " << configured;
}

TEST_F(PpsTest, WithoutActPoliceThePlanStopsAndChangesNothing) {
  if (KernelHasPolice()) GTEST_SKIP() << "this kernel has act_police: the other tests measure it";
  berth_.WriteManifest("vm.yaml", VmYaml("{egress: 16mbit, pps: {egress: 2000}}"));
  auto plan = berth_.Run("plan -f " + berth_.manifests());
  EXPECT_NE(plan.status, 0) << plan.out;
  EXPECT_NE(plan.out.find("the kernel lacks act_police"), std::string::npos) << plan.out;
  auto r = berth_.Run("apply -f " + berth_.manifests());
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("act_police"), std::string::npos) << r.out;
  EXPECT_NE(Sh("ip netns list | grep -q berth-pps1").status, 0) << "a refused plan created the VM's netns";
  // Without the packet rate the same VM converges.
  Apply("{egress: 16mbit}");
  EXPECT_NE(IfIndex("tap0"), 0);
}

TEST_F(PpsTest, EachDirectionGetsItsPacketRateAndMoreWithoutIt) {
  RequirePolice();
  if (IsSkipped()) return;
  Apply("{pps: {egress: 2000, ingress: 1000}}");
  ASSERT_EQ(PoliceFilters("tap0").size() > 0, true) << "no filter at priority 3047 on tap0";
  EXPECT_NE(PoliceAction("tap0").dump().find("2000"), std::string::npos) << PoliceAction("tap0");
  FloodResult out, in;
  Flood(kEgressPps, kIngressPps, out, in);
  if (HasFatalFailure()) return;
  const double bits = FrameBits(kSmall);
  ExpectNear(out.received / bits, kEgressPps, "VM egress (tap0's policer)");
  ExpectNear(in.received / bits, kIngressPps, "VM ingress (eth0's policer)");
  Apply("");
  EXPECT_TRUE(PoliceFilters("tap0").empty()) << "the rate's removal left the filter";
  Flood(kEgressPps, kIngressPps, out, in);
  if (HasFatalFailure()) return;
  std::cout << "[ measured ] unlimited: egress " << out.received / bits << " packets/s, ingress " << in.received / bits << "\n";
  EXPECT_GT(out.received / bits, 1.5 * kEgressPps);
  EXPECT_GT(in.received / bits, 1.5 * kIngressPps);
}

TEST_F(PpsTest, AChangedRateIsAnInPlaceUpdateAndDriftIsRepaired) {
  RequirePolice();
  if (IsSkipped()) return;
  Apply("{egress: 16mbit, pps: {egress: 2000, ingress: 1000}}");
  const int tap = IfIndex("tap0"), eth = IfIndex("eth0");
  ASSERT_NE(tap, 0);
  berth_.WriteManifest("vm.yaml", VmYaml("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}"));
  const std::string plan = Plan();
  EXPECT_NE(plan.find("~ police:berth-pps1/tap0"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("link:"), std::string::npos) << "a rate change must not touch a device:\n" << plan;
  EXPECT_EQ(plan.find("eth0"), std::string::npos) << "only tap0's policer changed:\n" << plan;
  Apply("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
  EXPECT_EQ(IfIndex("tap0"), tap);
  EXPECT_EQ(IfIndex("eth0"), eth);
  auto vm = berth_.Vms()["pps1"];
  EXPECT_NE(vm["bandwidth"]["egress"].get<std::string>().find("3000pps"), std::string::npos) << vm;
  // Deleted, changed to let everything pass, displaced by someone's filter: all repaired.
  ASSERT_EQ(Sh("tc -n berth-pps1 filter del dev eth0 ingress prio 3047").status, 0);
  ASSERT_EQ(Sh("tc -n berth-pps1 actions change action police pkts_rate 3000 pkts_burst 30 conform-exceed pass/continue "
               "index 199688193").status, 0);
  EXPECT_NE(Plan().find("police:berth-pps1/eth0"), std::string::npos);
  Apply("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
  EXPECT_FALSE(PoliceFilters("eth0").empty());
  // pass/continue is gone: berth's exceed action (drop) is back. Read as text: iproute2's JSON for police varies.
  const auto text = Sh("tc -n berth-pps1 actions get action police index 199688193");
  EXPECT_EQ(text.out.find("pass"), std::string::npos) << text.out;
  ASSERT_EQ(Sh("tc -n berth-pps1 filter del dev eth0 ingress prio 3047").status, 0);
  ASSERT_EQ(Sh("tc -n berth-pps1 filter add dev eth0 ingress protocol ip prio 3047 u32 match u32 0 0 action pass").status, 0);
  Apply("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
  EXPECT_NE(PoliceAction("eth0"), nlohmann::json()) << "berth's policer is back on eth0";
  EXPECT_NE(Plan().find("No changes"), std::string::npos) << Plan();
  EXPECT_EQ(IfIndex("tap0"), tap);
}

}  // namespace
}  // namespace berth::itest
