// The berth binary against the kernel: apply an example, a second plan is empty; drift is repaired and leaks
// collected; unowned look-alikes are never touched; removing a VM removes its objects; teardown twice.
#include <gtest/gtest.h>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/firecracker-cni";

class CliTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  BerthCli berth_;
};

bool Exists(const std::string& check) { return Sh(check).status == 0; }

void ExpectExampleOnHost() {
  EXPECT_TRUE(Exists("ip link show fcbr0 | grep -q 'mtu 1500'"));
  EXPECT_TRUE(Exists("ip -4 addr show dev fcbr0 | grep -q 10.168.0.1/24"));
  for (const char* vm : {"vm1", "vm2", "vm3"}) {
    const std::string ns = std::string("berth-") + vm;
    EXPECT_TRUE(Exists(std::string("ip link show bv-") + vm + " | grep -q 'master fcbr0'")) << vm;
    EXPECT_TRUE(Exists("ip -n " + ns + " link show tap0")) << vm;
    EXPECT_TRUE(Exists("tc -n " + ns + " filter show dev eth0 ingress | grep -q 'Redirect to device tap0'")) << vm;
    EXPECT_TRUE(Exists("tc -n " + ns + " filter show dev tap0 ingress | grep -q 'Redirect to device eth0'")) << vm;
  }
  EXPECT_TRUE(Exists("nft list table inet berth | grep -q 'masquerade comment \"berth:nat/fcbr0-outbound\"'"));
  EXPECT_NE(Sh("cat /etc/netns/berth-vm3/resolv.conf").out.find("nameserver 9.9.9.9"), std::string::npos);
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/ip_forward").out, "1\n");
}

TEST_F(CliTest, ApplyExampleThenPlanHasNoChanges) {
  auto r = berth_.Run("apply -f " + kExample);
  ASSERT_EQ(r.status, 0) << r.out;
  ExpectExampleOnHost();
  r = berth_.Run("plan --detailed-exitcode -f " + kExample);
  EXPECT_EQ(r.status, 0) << r.out;
  // The launcher's view: every networked VM has its TAP, MAC and address.
  auto vms = berth_.Vms();
  ASSERT_TRUE(vms.contains("vm2")) << vms.dump();
  EXPECT_EQ(vms["vm2"]["address"], "10.168.0.20/24");
  EXPECT_EQ(vms["vm2"]["tap"], "tap0");
  EXPECT_NE(Sh("ip -n berth-vm2 link show eth0").out.find(vms["vm2"].value("mac", "?")), std::string::npos);
}

TEST_F(CliTest, DriftIsRepairedAndLeaksCollected) {
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  // berth-ghost stands for a netns berth made and lost track of: recorded, as berth records what it creates.
  ASSERT_EQ(Sh("sed -i 's/\"created\": \\[/\"created\": [\"berth-ghost\", /' " + berth_.state() + "/netns.json && "
               "ip link set bv-vm1 nomaster && ip -n berth-vm2 link del tap0 && "
               "tc -n berth-vm3 qdisc del dev eth0 ingress && rm /etc/netns/berth-vm3/resolv.conf && "
               "nft flush chain inet berth forward && "
               "ip netns add berth-ghost && ip link add bv-ghost group 1650815604 type bridge && "
               "ip link set bv-ghost alias 'berth owner=VM/ghost created=2026-01-01T00:00:00Z' && "
               "ip link add fcbr-old group 1650815604 type bridge")
                .status,
            0);
  auto r = berth_.Run("plan --detailed-exitcode -f " + kExample);
  EXPECT_EQ(r.status, 2) << r.out;
  r = berth_.Run("apply -f " + kExample);
  ASSERT_EQ(r.status, 0) << r.out;
  ExpectExampleOnHost();
  EXPECT_TRUE(Exists("nft list chain inet berth forward | grep -q 'berth:vm/vm1'"));
  EXPECT_FALSE(Exists("ip netns list | grep -q berth-ghost"));
  EXPECT_FALSE(Exists("ip link show bv-ghost"));
  EXPECT_FALSE(Exists("ip link show fcbr-old")) << "a marked link without details is collected";
  r = berth_.Run("plan --detailed-exitcode -f " + kExample);
  EXPECT_EQ(r.status, 0) << r.out;
}

TEST_F(CliTest, UnownedLookAlikesAreNeverTouched) {
  ASSERT_EQ(Sh("ip link add fcbr1 type bridge && ip link add bv-vm9 type veth peer name bv-vm9p && "
               "ip netns add berth && ip netns add vm1 && nft add table inet berth2 && nft add table ip berth && "
               "mkdir -p /etc/netns/vm1 && echo keep > /etc/netns/vm1/resolv.conf")
                .status,
            0);
  const std::string before = Sh("ip -d link; ip netns list; nft list ruleset | grep table; cat /etc/netns/vm1/resolv.conf").out;
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  ASSERT_EQ(berth_.Run("destroy").status, 0);
  EXPECT_EQ(Sh("ip -d link; ip netns list; nft list ruleset | grep table; cat /etc/netns/vm1/resolv.conf").out, before);
}

TEST_F(CliTest, ANameHeldByAnUnownedObjectIsAConflict) {
  ASSERT_EQ(Sh("ip link add fcbr0 type bridge").status, 0);
  auto r = berth_.Run("apply -f " + kExample);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("link:/fcbr0"), std::string::npos) << r.out;
  EXPECT_FALSE(Exists("ip link show fcbr0 | grep -q 'group 1650815604'")) << "the foreign bridge stays unmarked";
  EXPECT_FALSE(Exists("ip link show fcbr0 | grep -q alias"));
}

TEST_F(CliTest, RemovingAVmRemovesItsObjectsAndTeardownTwiceIsANoOp) {
  ASSERT_EQ(Sh("cp " + kExample + "/*.yaml " + berth_.manifests()).status, 0);
  ASSERT_EQ(berth_.Run("apply -f " + berth_.manifests()).status, 0);
  // vm3 leaves the manifests.
  ASSERT_EQ(Sh("cd " + berth_.manifests() + " && awk 'BEGIN{RS=\"---\\n\"; ORS=\"---\\n\"} !/name: vm3/' vms.yaml > v && "
               "mv v vms.yaml && ! grep -q vm3 vms.yaml")
                .status,
            0);
  auto r = berth_.Run("apply --allow-mass-delete -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(Exists("ip netns list | grep -q berth-vm3"));
  EXPECT_FALSE(Exists("ip link show bv-vm3"));
  EXPECT_FALSE(Exists("test -e /etc/netns/berth-vm3"));
  EXPECT_FALSE(Exists("nft list table inet berth | grep -q berth:vm/vm3"));
  EXPECT_TRUE(Exists("ip link show bv-vm1") && Exists("ip -n berth-vm2 link show tap0"));

  r = berth_.Run("destroy");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Sh("ls /sys/class/net").out, "lo\n");
  EXPECT_EQ(Sh("ls -A /run/netns /etc/netns | grep -c berth").out, "0\n");
  EXPECT_FALSE(Exists("nft list table inet berth"));
  const std::string after = Sh("ip -d link; ip netns; nft list ruleset; ls -A /etc/netns").out;
  r = berth_.Run("destroy");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Sh("ip -d link; ip netns; nft list ruleset; ls -A /etc/netns").out, after);
}

}  // namespace
}  // namespace berth::itest
