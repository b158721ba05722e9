// The berth binary as an operator runs it: allocations that move without a host change are recorded (berth
// show reports what was applied), and destroy restores the sysctls berth changed.
#include <gtest/gtest.h>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

class CliOperateTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  BerthCli berth_;
};

std::string FullVm(const std::string& address) {
  return "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fbr0}\nspec: {address: 10.77.0.1/24}\n---\n"
         "apiVersion: berth/v1\nkind: VM\nmetadata: {name: f1}\n"
         "spec: {network: {bridge: fbr0, mode: full, address: " + address + "}}\n";
}

TEST_F(CliOperateTest, AMovedAddressWithoutAHostChangeIsRecordedAndShown) {
  auto r = berth_.Run("apply -f " + berth_.WriteManifest("m.yaml", FullVm("10.77.0.10/24")));
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(berth_.Vms()["f1"].value("address", "?"), "10.77.0.10/24");
  r = berth_.Run("apply -f " + berth_.WriteManifest("m.yaml", FullVm("10.77.0.11/24")));
  ASSERT_EQ(r.status, 0) << r.out;
  // What a launcher reads must be what the next plan allocates, whether or not the host needed a change.
  EXPECT_EQ(berth_.Vms()["f1"].value("address", "?"), "10.77.0.11/24") << r.out;
  EXPECT_NE(Sh("cat " + berth_.state() + "/allocations.json").out.find("10.77.0.11"), std::string::npos);
}

const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/firecracker-cni";

TEST_F(CliOperateTest, DestroyRestoresTheSysctlsBerthChanged) {
  ASSERT_EQ(Sh("echo 0 > /proc/sys/net/ipv4/ip_forward").status, 0);
  auto r = berth_.Run("apply -f " + kExample);
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(Sh("cat /proc/sys/net/ipv4/ip_forward").out, "1\n");
  r = berth_.Run("destroy");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/ip_forward").out, "0\n") << r.out;
  EXPECT_NE(r.out.find("net.ipv4.ip_forward = 0"), std::string::npos) << r.out;
}

TEST_F(CliOperateTest, DestroyLeavesASysctlBerthFoundSet) {
  ASSERT_EQ(Sh("echo 1 > /proc/sys/net/ipv4/ip_forward").status, 0);
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  auto r = berth_.Run("destroy");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/ip_forward").out, "1\n") << r.out;
}

}  // namespace
}  // namespace berth::itest
