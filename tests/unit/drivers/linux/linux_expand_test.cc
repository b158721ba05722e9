// The Linux expansion: what each mode gets, names, and nft rule text.
#include "drivers/linux/platform/linux_expand.h"

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_resources.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using model::NetworkMode;
using testing::MakeBridge;
using testing::MakeNat;
using testing::MakeVm;

std::vector<std::string> Keys(const DesiredState& d) {
  std::vector<std::string> out;
  for (const Resource& r : d.resources) out.push_back(r.key.ToString());
  return out;
}

DesiredState ExpandOne(const model::Vm& vm) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("fcbr0", "10.168.0.1/24", 1400));
  m.vms.push_back(vm);
  return linux_res::ExpandLinux(m, Allocate(m, {}).allocations);
}

TEST(LinuxExpand, OutboundVmGetsTheCniChain) {
  auto d = ExpandOne(MakeVm("vm1", "fcbr0"));
  EXPECT_EQ(Keys(d), (std::vector<std::string>{
                         "addr:/fcbr0/10.168.0.1/24", "link:/bv-vm1", "link:/fcbr0", "link:berth-vm1/lo",
                         "link:berth-vm1/tap0", "netns:/berth-vm1", "nft:/base/policy", "nft:/vm/vm1", "nfttable:/berth",
                         "tc:berth-vm1/eth0", "tc:berth-vm1/tap0"}));
  const Resource* veth = d.Find({"link", "", "bv-vm1"});
  ASSERT_TRUE(veth);
  EXPECT_EQ(veth->AttrOr("master"), "fcbr0");
  EXPECT_EQ(veth->AttrOr("peer_netns"), "berth-vm1");
  EXPECT_EQ(veth->AttrOr("mtu"), "1400");
  EXPECT_EQ(d.Find({"link", "berth-vm1", "tap0"})->AttrOr("mtu"), "1400");
  EXPECT_EQ(d.Find({"tc", "berth-vm1", "eth0"})->AttrOr("redirect_to"), "tap0");
  EXPECT_EQ(d.Find({"nft", "", "vm/vm1"})->AttrOr("forward"),
            "ip daddr 10.168.0.2 ct state established,related accept\n"
            "ip daddr 10.168.0.2 iifname != \"fcbr0\" drop");
  EXPECT_EQ(veth->provenance.origin(), "VM/vm1");
}

TEST(LinuxExpand, DisabledAndLoopbackGetNoInterface) {
  auto disabled = ExpandOne(MakeVm("vm1", "", NetworkMode::kDisabled));
  EXPECT_EQ(disabled.Find({"link", "berth-vm1", "lo"})->AttrOr("up"), "false");
  EXPECT_FALSE(disabled.Find({"link", "", "bv-vm1"}));
  auto loopback = ExpandOne(MakeVm("vm1", "", NetworkMode::kLoopback));
  EXPECT_EQ(loopback.Find({"link", "berth-vm1", "lo"})->AttrOr("up"), "true");
  EXPECT_FALSE(loopback.Find({"link", "berth-vm1", "tap0"}));
}

TEST(LinuxExpand, FullModeHasNoInboundDrop) {
  auto d = ExpandOne(MakeVm("vm1", "fcbr0", NetworkMode::kFull));
  EXPECT_TRUE(d.Find({"link", "berth-vm1", "tap0"}));
  // Its group holds only its policy: nothing in the forward chain about inbound traffic.
  ASSERT_TRUE(d.Find({"nft", "", "vm/vm1"}));
  EXPECT_FALSE(d.Find({"nft", "", "vm/vm1"})->Attr("forward"));
}

TEST(LinuxExpand, NatMasqueradesOnceAndForwardsPorts) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("fcbr0", "10.168.0.1/24"));
  auto nat = MakeNat("nat0", "fcbr0");
  nat.forwards.push_back({model::Protocol::kTcp, 8080, *model::Ipv4::Parse("10.168.0.10"), 80, {}});
  m.nats.push_back(nat);
  m.nats.push_back(MakeNat("nat1", "fcbr0"));
  auto d = linux_res::ExpandLinux(m, {});
  const Resource* rules = d.Find({"nft", "", "nat/nat0"});
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->AttrOr("postrouting"),
            "ip saddr 10.168.0.0/24 oifname != \"fcbr0\" masquerade\n"
            "ip saddr 10.168.0.0/24 ct status dnat ip daddr . meta l4proto . th dport { 10.168.0.10 . tcp . 80 } "
            "masquerade");
  EXPECT_EQ(rules->AttrOr("prerouting"),
            "fib daddr type local dnat ip to meta l4proto . tcp dport map { tcp . 8080 : 10.168.0.10 . 80 }");
  EXPECT_EQ(rules->AttrOr("output"),
            "fib daddr type local ip daddr != 127.0.0.0/8 dnat ip to meta l4proto . tcp dport map "
            "{ tcp . 8080 : 10.168.0.10 . 80 }");
  EXPECT_EQ(rules->AttrOr("forward"), "ct status dnat ip daddr . meta l4proto . th dport { 10.168.0.10 . tcp . 80 } accept");
  // The table and the forwarding sysctl are shared: exactly one of each, kept by the first NAT.
  int tables = 0, sysctls = 0;
  for (const Resource& r : d.resources) {
    tables += r.key.kind == "nfttable";
    sysctls += r.key.kind == "sysctl";
  }
  EXPECT_EQ(tables, 1);
  EXPECT_EQ(sysctls, 1);
  EXPECT_EQ(d.Find({"sysctl", "", "net.ipv4.ip_forward"})->provenance.origin(), "NAT/nat0");
}

TEST(LinuxExpand, DnsFileUsesTheManifestServersOnly) {
  auto vm = MakeVm("vm1", "fcbr0");
  vm.network.dns = {"10.168.0.1", "2001:db8::53"};
  auto d = ExpandOne(vm);
  const Resource* f = d.Find({"file", "", "/etc/netns/berth-vm1/resolv.conf"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->AttrOr("content"), "# written by berth\nnameserver 10.168.0.1\nnameserver 2001:db8::53\n");
  EXPECT_FALSE(ExpandOne(MakeVm("vm2", "fcbr0")).Find({"file", "", "/etc/netns/berth-vm2/resolv.conf"}));
}

TEST(LinuxExpand, JailerOwnershipGoesOnTheTap) {
  auto vm = MakeVm("vm1", "fcbr0");
  vm.firecracker = model::Firecracker{};
  vm.firecracker->jailer = model::FirecrackerJailer{123, 456, "/srv/berth"};
  const DesiredState desired = ExpandOne(vm);
  const Resource* tap = desired.Find({"link", "berth-vm1", "tap0"});
  ASSERT_NE(tap, nullptr);
  EXPECT_EQ(tap->AttrOr("owner_uid"), "123");
  EXPECT_EQ(tap->AttrOr("owner_gid"), "456");
}

}  // namespace
}  // namespace berth::reconciler
