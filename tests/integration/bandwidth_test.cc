// Rate limits on the real kernel, through the berth binary: a test guest on the VM's TAP floods UDP to a socket
// on the host (upstream of the bridge) and the host floods the guest; the receivers see the configured rate
// (within 15 %) in each direction, and clearly more without a limit. Each sender offers 4x the limit and must
// reach at least 1.6x, or the test fails saying the sender, not the limit, was slow. Also: a changed limit is an
// in-place update (same devices), and a qdisc deleted or replaced by someone is repaired by the next apply.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/integration/bandwidth_env.h"
#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

constexpr const char* kBridge = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: bwbr0}
spec: {address: 10.183.0.1/24}
)";
constexpr const char* kVmIp = "10.183.0.10";
constexpr const char* kHostIp = "10.183.0.1";
// Distinct rates per direction, so a limit put on the wrong device shows.
constexpr double kEgress = 16e6, kIngress = 8e6;

std::string VmYaml(const std::string& bandwidth) {
  return std::string("apiVersion: berth/v1\nkind: VM\nmetadata: {name: bw1}\nspec:\n  network:\n") +
         "    bridge: bwbr0\n    address: 10.183.0.10/24\n    mode: outbound\n" +
         "    policy: {host: [{protocol: udp, port: 5001}]}\n" + (bandwidth.empty() ? "" : "    bandwidth: " + bandwidth + "\n");
}

/// The root qdisc of DEV in berth-bw1 as tc -j reports it.
nlohmann::json RootQdisc(const std::string& dev) {
  auto j = ShJson("tc -j -n berth-bw1 qdisc show dev " + dev + " root");
  return j.is_array() && !j.empty() ? j[0] : nlohmann::json();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

#ifdef BERTH_FC_PROBE
/// The stand-in Firecracker's pid as berth recorded it, 0 when none.
int RecordedPid(const BerthCli& berth, const std::string& vm) {
  auto j = nlohmann::json::parse(ReadFile(berth.state() + "/vms/" + vm + "/record.json"), nullptr, false);
  return j.is_object() ? j.value("pid", 0) : 0;
}

/// "The KVM at /dev/null runs guests" for this boot, as berth's probe records it where KVM works (vm_test.cc).
void RecordWorkingKvm(const BerthCli& berth) {
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  ASSERT_EQ(::mkdir(berth.state().c_str(), 0700) == 0 || errno == EEXIST, true);
  std::string boot = ReadFile("/proc/sys/kernel/random/boot_id");
  while (!boot.empty() && boot.back() == '\n') boot.pop_back();
  const nlohmann::json verdict = {
      {"boot_id", boot}, {"device", "/dev/null"},
      {"node", std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_rdev)},
      {"usable", true}, {"reason", ""}};
  std::ofstream(berth.state() + "/kvm-probe.json") << verdict.dump();
}
#endif

int IfIndex(const std::string& dev) {
  auto j = ShJson("ip -j -n berth-bw1 link show dev " + dev);
  return j.is_array() && !j.empty() ? j[0].value("ifindex", 0) : 0;
}

class BandwidthTest : public SandboxTest {
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

  /// Floods both ways with a fresh guest; each sender aims at 4x `expect_*`.
  void Flood(double egress_ref, double ingress_ref, FloodResult& out, FloodResult& in) {
    ASSERT_TRUE(WaitBridgePortForwarding("bv-bw1")) << "bv-bw1 never forwarded";
    const std::string mac = berth_.Vms()["bw1"].value("mac", "");
    ASSERT_FALSE(mac.empty());
    Guest guest("berth-bw1", "tap0", mac, kVmIp);
    ASSERT_TRUE(guest.ok()) << guest.error();
    WaitTapReady();
    // Static neighbours both ways: no ARP through the limits (and none to wait for).
    ASSERT_EQ(Sh(std::string("ip neigh replace ") + kVmIp + " lladdr " + mac + " dev bwbr0 nud permanent").status, 0);
    const MacBytes gw = ParseMacBytes(ShJson("ip -j link show dev bwbr0")[0]["address"].get<std::string>());
    out = FloodFromGuest(guest, kVmIp, kHostIp, gw, FloodSpec{.offer_bits = 4 * egress_ref});
    in = FloodToGuest(guest, kVmIp, FloodSpec{.offer_bits = 4 * ingress_ref});
    ASSERT_TRUE(out.error.empty()) << out.error;
    ASSERT_TRUE(in.error.empty()) << in.error;
    // A slow sender would make any limit look honoured: it must have offered well above the limit.
    ASSERT_GE(out.offered, 1.6 * egress_ref) << "the guest could only send " << out.offered / 1e6 << " Mbit/s";
    ASSERT_GE(in.offered, 1.6 * ingress_ref) << "the host could only send " << in.offered / 1e6 << " Mbit/s";
  }
  static void WaitTapReady() {
    for (int i = 0; i < 50; ++i) {
      auto j = ShJson("ip -j -n berth-bw1 link show dev tap0");
      if (j.is_array() && !j.empty() && j[0].value("operstate", "") == "UP") return;
      Sh("sleep 0.05");
    }
    FAIL() << "tap0 never came up with the guest attached";
  }
  BerthCli berth_;
};

void ExpectNear(double measured, double configured, const char* what) {
  std::cout << "[ measured ] " << what << ": " << measured / 1e6 << " Mbit/s, limit " << configured / 1e6 << " Mbit/s\n";
  EXPECT_NEAR(measured / configured, 1.0, 0.15)
      << what << ": measured " << measured / 1e6 << " Mbit/s against a limit of " << configured / 1e6 << " Mbit/s";
}

TEST_F(BandwidthTest, EachDirectionGetsItsRateAndMoreWithoutALimit) {
  Apply("{egress: 16mbit, ingress: 8Mbit}");
  EXPECT_EQ(RootQdisc("eth0").value("kind", ""), "tbf") << RootQdisc("eth0");
  EXPECT_EQ(RootQdisc("eth0").value("handle", ""), "be7:");
  EXPECT_EQ(RootQdisc("tap0").value("kind", ""), "tbf");
  FloodResult out, in;
  Flood(kEgress, kIngress, out, in);
  if (HasFatalFailure()) return;
  std::cout << "[ measured ] offered: egress " << out.offered / 1e6 << " Mbit/s, ingress " << in.offered / 1e6 << " Mbit/s\n";
  ExpectNear(out.received, kEgress, "VM egress (eth0's tbf)");
  ExpectNear(in.received, kIngress, "VM ingress (tap0's tbf)");
  // The same floods with the limit removed: the receivers see well above it.
  Apply("");
  EXPECT_NE(RootQdisc("eth0").value("kind", ""), "tbf") << "the limit's removal left the qdisc";
  EXPECT_NE(RootQdisc("tap0").value("kind", ""), "tbf");
  Flood(kEgress, kIngress, out, in);
  if (HasFatalFailure()) return;
  std::cout << "[ measured ] unlimited: egress " << out.received / 1e6 << " Mbit/s (offered " << out.offered / 1e6
            << "), ingress " << in.received / 1e6 << " Mbit/s (offered " << in.offered / 1e6 << ")\n";
  EXPECT_GT(out.received, 1.5 * kEgress) << "unlimited egress was only " << out.received / 1e6 << " Mbit/s";
  EXPECT_GT(in.received, 1.5 * kIngress) << "unlimited ingress was only " << in.received / 1e6 << " Mbit/s";
}

TEST_F(BandwidthTest, AChangedLimitIsAnInPlaceUpdate) {
  Apply("{egress: 16mbit, ingress: 8mbit}");
  const int tap = IfIndex("tap0"), eth = IfIndex("eth0");
  ASSERT_NE(tap, 0);
  berth_.WriteManifest("vm.yaml", VmYaml("{egress: 24mbit, ingress: 8mbit}"));
  const std::string plan = Plan();
  EXPECT_NE(plan.find("~ qdisc:berth-bw1/eth0"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("link:"), std::string::npos) << "a limit change must not touch a device:\n" << plan;
  EXPECT_EQ(plan.find("tap0"), std::string::npos) << "only eth0's limit changed:\n" << plan;
  Apply("{egress: 24mbit, ingress: 8mbit}");
  EXPECT_EQ(IfIndex("tap0"), tap);
  EXPECT_EQ(IfIndex("eth0"), eth);
  EXPECT_EQ(RootQdisc("eth0")["options"].value("rate", 0.0) * 8, 24e6) << RootQdisc("eth0");
  auto vm = berth_.Vms()["bw1"];
  EXPECT_EQ(vm["bandwidth"]["egress"].get<std::string>().rfind("24Mbit", 0), 0u) << vm;
}

#ifdef BERTH_FC_PROBE
TEST_F(BandwidthTest, ALimitChangeLeavesTheRunningVmAlone) {
  const std::string files = berth_.dir() + "/files";
  ASSERT_EQ(Sh("mkdir -p " + files + " && echo kernel > " + files + "/vmlinux && head -c 1048576 /dev/zero > " + files +
               "/rootfs.ext4").status, 0);
  RecordWorkingKvm(berth_);
  const std::string opts = " --firecracker " + std::string(BERTH_FC_PROBE) + " --kvm-device /dev/null";
  auto vm = [&](const std::string& egress) {
    return VmYaml("{egress: " + egress + "}") + "  firecracker:\n    kernel: " + files + "/vmlinux\n    rootfs: " + files +
           "/rootfs.ext4\n    jailer: {uid: 4321, gid: 4322}\n";
  };
  berth_.WriteManifest("vm.yaml", vm("16mbit"));
  auto r = berth_.Run("apply -f " + berth_.manifests() + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  const int pid = RecordedPid(berth_, "bw1"), tap = IfIndex("tap0");
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, 0), 0);
  berth_.WriteManifest("vm.yaml", vm("24mbit"));
  r = berth_.Run("apply -f " + berth_.manifests() + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(RecordedPid(berth_, "bw1"), pid) << r.out;
  EXPECT_EQ(::kill(pid, 0), 0) << "the VM's process went";
  EXPECT_EQ(IfIndex("tap0"), tap);
  EXPECT_EQ(RootQdisc("eth0")["options"].value("rate", 0.0) * 8, 24e6) << RootQdisc("eth0");
  EXPECT_EQ(berth_.Run("plan --detailed-exitcode -f " + berth_.manifests() + opts).status, 0);
}
#endif

TEST_F(BandwidthTest, DriftInTheQdiscIsRepaired) {
  Apply("{egress: 16mbit, ingress: 8mbit}");
  // Deleted: the device falls back to its default qdisc.
  ASSERT_EQ(Sh("tc -n berth-bw1 qdisc del dev eth0 root").status, 0);
  // Changed in place by someone: same handle, another rate.
  ASSERT_EQ(Sh("tc -n berth-bw1 qdisc change dev tap0 root handle be7: tbf rate 1mbit burst 32kb latency 50ms").status, 0);
  EXPECT_NE(Plan().find("qdisc:berth-bw1/eth0"), std::string::npos);
  Apply("{egress: 16mbit, ingress: 8mbit}");
  EXPECT_EQ(RootQdisc("eth0").value("kind", ""), "tbf");
  EXPECT_EQ(RootQdisc("eth0")["options"].value("rate", 0.0) * 8, 16e6) << RootQdisc("eth0");
  EXPECT_EQ(RootQdisc("tap0")["options"].value("rate", 0.0) * 8, 8e6) << RootQdisc("tap0");
  // Replaced by another qdisc with its own handle: berth's limit goes back over it.
  ASSERT_EQ(Sh("tc -n berth-bw1 qdisc replace dev eth0 root handle 8001: pfifo limit 100").status, 0);
  Apply("{egress: 16mbit, ingress: 8mbit}");
  EXPECT_EQ(RootQdisc("eth0").value("kind", ""), "tbf") << RootQdisc("eth0");
  // Converged: nothing left to do.
  const std::string plan = Plan();
  EXPECT_NE(plan.find("No changes"), std::string::npos) << plan;
}

}  // namespace
}  // namespace berth::itest
