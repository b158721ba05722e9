// The KVM probe runs only when something needs its verdict: a VM that berth launches (plan, apply) or
// `berth show`. Networks alone never wait for it, which on a host whose /dev/kvm cannot run a guest is the
// probe's whole 2 s deadline. The stand-in device /dev/null fails the probe at once and, like any device
// that exists, leaves the verdict in the state directory: the file says whether the probe ran.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

const std::string kNetwork =
    "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: kvbr0}\nspec: {address: 10.172.0.1/24}\n---\n"
    "apiVersion: berth/v1\nkind: NAT\nmetadata: {name: kvbr0-out}\nspec: {source: {bridge: kvbr0}}\n---\n"
    "apiVersion: berth/v1\nkind: VM\nmetadata: {name: plain}\nspec:\n  network: {bridge: kvbr0}\n";
const std::string kOpts = " --kvm-device /dev/null";

class KvmNeedTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  bool Probed() const {
    struct stat st {};
    return ::stat((berth_.state() + "/kvm-probe.json").c_str(), &st) == 0;
  }
  BerthCli berth_;
};

TEST_F(KvmNeedTest, NetworksWithoutLaunchedVmsAreNotHeldUpByIt) {
  const std::string dir = berth_.WriteManifest("net.yaml", kNetwork);
  auto r = berth_.Run("plan -f " + dir + kOpts);
  ASSERT_EQ(r.status, 0) << r.out;
  r = berth_.Run("apply -f " + dir + kOpts);
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(Sh("ip -n berth-plain link show tap0").status, 0);
  EXPECT_FALSE(Probed());
  // show reports the verdict, so it probes: the file's absence above is the probe not running.
  r = berth_.Run("show -o json" + kOpts);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Probed());
}

TEST_F(KvmNeedTest, AVmThatLaunchesWaitsForTheVerdict) {
  const std::string files = berth_.dir() + "/files";
  ASSERT_EQ(Sh("mkdir -p " + files + " && echo kernel > " + files + "/vmlinux && echo rootfs > " + files +
               "/rootfs.ext4").status, 0);
  const std::string dir = berth_.WriteManifest(
      "net.yaml", kNetwork + "  firecracker: {kernel: " + files + "/vmlinux, rootfs: " + files + "/rootfs.ext4}\n");
  // The observation starts before the manifests are read; the verdict is added once they say a VM launches.
  auto r = berth_.Run("plan -f " + dir + kOpts);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("/dev/null cannot run a guest: KVM_GET_API_VERSION"), std::string::npos) << r.out;
  r = berth_.Run("apply -f " + dir + kOpts);  // plan made no state directory to keep the verdict in; apply does
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Firecracker needs KVM"), std::string::npos) << r.out;
  EXPECT_TRUE(Probed());
}

}  // namespace
}  // namespace berth::itest
