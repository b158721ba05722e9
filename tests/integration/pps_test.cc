// Packet rates on the real kernel, through the berth binary: a test guest on the VM's TAP floods small UDP
// packets to a socket on the host and the host (or a sender on another port of the bridge) floods the guest;
// the receivers see the configured packet rate (within 15 %) in each direction, and clearly more without it. The rates are limit rules at the VM's bridge
// port in table bridge berth (docs/bandwidth.md). A changed rate is an in-place update of the VM's rule group
// (same devices, same table), and a rule or map element deleted or changed by someone is repaired by the next apply.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

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

/// Chain CHAIN of table bridge berth as nft lists it, handles included; empty when it is not there.
std::string BridgeChain(const std::string& chain) {
  auto r = Sh("nft -a list chain bridge berth " + chain + " 2>/dev/null");
  return r.status == 0 ? r.out : "";
}

/// The handle of the first rule of CHAIN that contains `text`, or "".
std::string RuleHandle(const std::string& chain, const std::string& text) {
  std::istringstream in(BridgeChain(chain));
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("# handle ");
    if (line.find(text) != std::string::npos && at != std::string::npos) return line.substr(at + 9);
  }
  return "";
}

std::string TableHandle() {
  const std::string head = Sh("nft -a list table bridge berth | head -1").out;
  const size_t at = head.find("# handle ");
  return at == std::string::npos ? "" : head.substr(at + 9, head.find('\n', at) - at - 9);
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
  void Apply(const std::string& bandwidth) {
    berth_.WriteManifest("vm.yaml", VmYaml(bandwidth));
    auto r = berth_.Run("apply -f " + berth_.manifests());
    ASSERT_EQ(r.status, 0) << r.out;
  }
  std::string Plan() const { return berth_.Run("plan -f " + berth_.manifests()).out; }

  /// Floods both ways with small packets and a fresh guest; each sender aims at 4x the reference rate.
  /// `ingress_from`: the namespace the ingress flood comes from (empty: the host, through its routing).
  void Flood(double egress_pps, double ingress_pps, FloodResult& out, FloodResult& in, const std::string& ingress_from = "") {
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
    in = FloodToGuest(guest, kVmIp,
                      FloodSpec{.offer_bits = 4 * ingress_pps * bits, .payload = kSmall, .from_netns = ingress_from});
    ASSERT_TRUE(out.error.empty()) << out.error;
    ASSERT_TRUE(in.error.empty()) << in.error;
    // A slow sender would make any limit look honoured: it must have offered well above the limit.
    ASSERT_GE(out.offered / bits, 1.6 * egress_pps) << "the guest could only send " << out.offered / bits << " packets/s";
    ASSERT_GE(in.offered / bits, 1.6 * ingress_pps) << "the sender could only send " << in.offered / bits << " packets/s";
  }
  BerthCli berth_;
};

void ExpectNear(double measured_pps, double configured, const char* what) {
  std::cout << "[ measured ] " << what << ": " << measured_pps << " packets/s, limit " << configured << "\n";
  EXPECT_NEAR(measured_pps / configured, 1.0, 0.15)
      << what << ": measured " << measured_pps << " packets/s against a limit of " << configured;
}

TEST_F(PpsTest, EachDirectionGetsItsPacketRateAndMoreWithoutIt) {
  Apply("{pps: {egress: 2000, ingress: 1000}}");
  EXPECT_NE(BridgeChain("port-pps1").find("limit rate over 2000/second burst 20 packets"), std::string::npos)
      << BridgeChain("port-pps1");
  EXPECT_NE(BridgeChain("in-pps1").find("limit rate over 1000/second burst 10 packets"), std::string::npos)
      << BridgeChain("in-pps1");
  FloodResult out, in;
  Flood(kEgressPps, kIngressPps, out, in);
  if (HasFatalFailure()) return;
  const double bits = FrameBits(kSmall);
  ExpectNear(out.received / bits, kEgressPps, "VM egress (the limit in port-pps1)");
  ExpectNear(in.received / bits, kIngressPps, "VM ingress (the limit in in-pps1)");
  auto vm = berth_.Vms()["pps1"];
  EXPECT_GT(vm["drops"].value("rate", 0), 0) << "the drops at the rate are counted as such: " << vm["drops"];
  EXPECT_EQ(vm["drops"].value("spoof", -1), 0) << vm["drops"];
  Apply("");
  EXPECT_EQ(BridgeChain("port-pps1").find("limit"), std::string::npos) << "the rate's removal left its rule";
  EXPECT_EQ(BridgeChain("in-pps1"), "") << "the rate's removal left its chain";
  Flood(kEgressPps, kIngressPps, out, in);
  if (HasFatalFailure()) return;
  std::cout << "[ measured ] unlimited: egress " << out.received / bits << " packets/s, ingress " << in.received / bits << "\n";
  EXPECT_GT(out.received / bits, 1.5 * kEgressPps);
  EXPECT_GT(in.received / bits, 1.5 * kIngressPps);
}

TEST_F(PpsTest, AChangedRateIsAnInPlaceUpdateAndDriftIsRepaired) {
  Apply("{egress: 16mbit, pps: {egress: 2000, ingress: 1000}}");
  const int tap = IfIndex("tap0"), eth = IfIndex("eth0");
  const std::string table = TableHandle();
  ASSERT_NE(tap, 0);
  ASSERT_FALSE(table.empty());
  berth_.WriteManifest("vm.yaml", VmYaml("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}"));
  const std::string plan = Plan();
  EXPECT_NE(plan.find("~ nft:/vm/pps1"), std::string::npos) << plan;
  EXPECT_NE(plan.find("3000/second"), std::string::npos) << "the plan shows the new rate:\n" << plan;
  EXPECT_EQ(plan.find("link:"), std::string::npos) << "a rate change must not touch a device:\n" << plan;
  EXPECT_EQ(plan.find("qdisc:"), std::string::npos) << "nor the bit rate's shaper:\n" << plan;
  Apply("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
  EXPECT_EQ(IfIndex("tap0"), tap);
  EXPECT_EQ(IfIndex("eth0"), eth);
  EXPECT_EQ(TableHandle(), table) << "the table was rewritten, not updated in place";
  auto vm = berth_.Vms()["pps1"];
  EXPECT_NE(vm["bandwidth"]["egress"].get<std::string>().find("3000pps"), std::string::npos) << vm;
  // Someone deletes the ingress rule and the map element that leads to it, and loosens the egress rule: all
  // three are plan changes and are repaired.
  const std::string in_rule = RuleHandle("in-pps1", "limit rate"), out_rule = RuleHandle("port-pps1", "limit rate");
  ASSERT_FALSE(in_rule.empty());
  ASSERT_FALSE(out_rule.empty());
  ASSERT_EQ(Sh("nft delete rule bridge berth in-pps1 handle " + in_rule).status, 0);
  ASSERT_EQ(Sh("nft delete element bridge berth in_vm '{ \"bv-pps1\" }'").status, 0);
  ASSERT_EQ(Sh("nft replace rule bridge berth port-pps1 handle " + out_rule +
               " limit rate over 3000000/second counter drop comment '\"berth:vm/pps1\"'").status, 0);
  EXPECT_NE(Plan().find("~ nft:/vm/pps1"), std::string::npos) << Plan();
  Apply("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
  EXPECT_NE(BridgeChain("port-pps1").find("limit rate over 3000/second burst 30 packets"), std::string::npos)
      << BridgeChain("port-pps1");
  EXPECT_NE(BridgeChain("in-pps1").find("limit rate over 1000/second burst 10 packets"), std::string::npos);
  EXPECT_NE(Sh("nft list map bridge berth in_vm").out.find("bv-pps1"), std::string::npos);
  EXPECT_NE(Plan().find("No changes"), std::string::npos) << Plan();
  EXPECT_EQ(IfIndex("tap0"), tap);
  // And the repaired limit holds: the egress rate is the new one.
  FloodResult out, in;
  Flood(3000, kIngressPps, out, in);
  if (HasFatalFailure()) return;
  ExpectNear(out.received / FrameBits(kSmall), 3000, "VM egress after the repair");
  ExpectNear(in.received / FrameBits(kSmall), kIngressPps, "VM ingress after the repair");
}

TEST_F(PpsTest, TheIngressRateHoldsForFramesBridgedFromAnotherPort) {
  Apply("{pps: {egress: 2000, ingress: 1000}}");
  // A sender on another port of the same bridge: its frames reach the VM through the bridge's forward hook,
  // where the host's own (the other tests) come through its output hook.
  ASSERT_EQ(Sh("ip netns add peer && ip link add pp0 type veth peer name eth0 netns peer && "
               "ip link set pp0 master ppsbr0 up && ip -n peer addr add 10.184.0.50/24 dev eth0 && "
               "ip -n peer link set eth0 up").status, 0);
  ASSERT_TRUE(WaitBridgePortForwarding("pp0")) << "pp0 never forwarded";
  const std::string mac = berth_.Vms()["pps1"].value("mac", "");
  ASSERT_EQ(Sh("ip -n peer neigh replace " + std::string(kVmIp) + " lladdr " + mac + " dev eth0 nud permanent").status, 0);
  const std::string before = BridgeChain("in-pps1");
  FloodResult out, in;
  Flood(kEgressPps, kIngressPps, out, in, "peer");
  if (HasFatalFailure()) return;
  ExpectNear(in.received / FrameBits(kSmall), kIngressPps, "VM ingress from a bridge peer (bridge forward hook)");
  EXPECT_NE(BridgeChain("in-pps1"), before) << "the drops were counted in in-pps1";
  Sh("ip netns del peer");
}

}  // namespace
}  // namespace berth::itest
