// Structured dns on the real kernel: a process in the VM's netns (ip netns exec) reads the search domains and
// options berth wrote; an edit to the file is drift that apply repairs.
#include <gtest/gtest.h>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/workload-dns";

class WorkloadDnsTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  BerthCli berth_;
};

TEST_F(WorkloadDnsTest, TheNetnsSeesSearchAndOptionsAndDriftIsRepaired) {
  auto r = berth_.Run("apply -f " + kExample);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string want =
      "# written by berth\nnameserver 10.171.0.1\nsearch corp.example svc.corp.example\noptions ndots:2 timeout:1 rotate\n";
  // ip netns exec bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf for the process it runs.
  EXPECT_EQ(Sh("ip netns exec berth-wd-app cat /etc/resolv.conf").out, want);
  // The parked VM: a netns and nothing else, its address still reserved.
  EXPECT_EQ(Sh("ip netns list | grep -c berth-wd-parked").out, "1\n");
  EXPECT_NE(Sh("ip link show bv-wd-parked").status, 0);
  ASSERT_EQ(Sh("echo 'nameserver 6.6.6.6' > /etc/netns/berth-wd-app/resolv.conf").status, 0);
  r = berth_.Run("plan --detailed-exitcode -f " + kExample);
  EXPECT_EQ(r.status, 2) << r.out;
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  EXPECT_EQ(Sh("ip netns exec berth-wd-app cat /etc/resolv.conf").out, want);
  r = berth_.Run("plan --detailed-exitcode -f " + kExample);
  EXPECT_EQ(r.status, 0) << r.out;
}

}  // namespace
}  // namespace berth::itest
