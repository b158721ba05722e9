// Parsing of VM documents: the network block, modes, and the hypervisor blocks.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::Header;
using testing::Load;
using testing::Summaries;
using Strings = std::vector<std::string>;

std::string VmDoc(const std::string& name, const std::string& spec) {
  return BridgeDoc("fcbr0") + "---\n" + Header("VM", name) + "spec:\n" + spec;
}

TEST(ParseVm, ReadsNetworkWithDefaults) {
  auto r = Load(VmDoc("vm1", "  network:\n    bridge: fcbr0\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  const Vm& vm = r.manifest.vms.at(0);
  EXPECT_EQ(vm.network.bridge, "fcbr0");
  EXPECT_EQ(vm.network.mode, NetworkMode::kOutbound);
  EXPECT_FALSE(vm.network.address);
  EXPECT_FALSE(vm.network.mac);
  EXPECT_TRUE(vm.network.dns.empty());
  EXPECT_FALSE(vm.firecracker);
  EXPECT_FALSE(vm.qemu);
}

TEST(ParseVm, ReadsEveryNetworkField) {
  auto r = Load(VmDoc("vm1",
                      "  network:\n    bridge: fcbr0\n    address: 10.168.0.10/24\n    mac: 06:00:AC:10:00:02\n"
                      "    mode: full\n    dns: [10.168.0.1, \"2001:db8::53\"]\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  const VmNetwork& n = r.manifest.vms.at(0).network;
  EXPECT_EQ(n.address->ToString(), "10.168.0.10/24");
  EXPECT_EQ(n.mac->ToString(), "06:00:ac:10:00:02");
  EXPECT_EQ(n.mode, NetworkMode::kFull);
  EXPECT_EQ(n.dns, (Strings{"10.168.0.1", "2001:db8::53"}));
  EXPECT_EQ(r.manifest.vms[0].doc.SpanOf("spec.network.dns[1]").ToString(), "test.yaml:18:23");
}

TEST(ParseVm, OutboundAndFullNeedABridge) {
  auto r = Load(VmDoc("vm1", "  network:\n    mode: full\n"));
  EXPECT_EQ(Summaries(r), Strings{"missing-field spec.network.bridge 13:3"});
  EXPECT_EQ(Summaries(Load(VmDoc("vm1", "  firecracker: {kernel: /k, rootfs: /r}\n"))),
            Strings{"missing-field spec.network 12:1"});
}

TEST(ParseVm, DisabledAndLoopbackKeepBridgeAddressAndMacForASwitchBack) {
  EXPECT_EQ(Summaries(Load(VmDoc("vm1", "  network: {mode: loopback, dns: [127.0.0.1]}\n"))), Strings{});
  auto kept = Load(VmDoc("vm1",
                         "  network:\n    mode: disabled\n    bridge: fcbr0\n    address: 10.168.0.10/24\n"
                         "    mac: 06:00:ac:10:00:02\n"));
  EXPECT_EQ(Summaries(kept), Strings{});
  ASSERT_EQ(kept.manifest.vms.size(), 1u);
  EXPECT_EQ(kept.manifest.vms[0].network.bridge, "fcbr0");
  EXPECT_EQ(kept.manifest.vms[0].network.address->ToString(), "10.168.0.10/24");
  // Without the bridge, an address or MAC reserves nothing anywhere.
  auto r = Load(VmDoc("vm1", "  network:\n    mode: loopback\n    address: 10.168.0.10/24\n"
                             "    mac: 06:00:ac:10:00:02\n"));
  EXPECT_EQ(Summaries(r), (Strings{"mode-conflict spec.network.address 15:5", "mode-conflict spec.network.mac 16:5"}));
}

TEST(ParseVm, RejectsMalformedNetworkValues) {
  auto r = Load(VmDoc("vm1",
                      "  network:\n    bridge: fcbr0\n    address: 10.168.0.300/24\n    mac: 01:00:5e:00:00:01\n"
                      "    mode: outbond\n    dns: [dns.google]\n"));
  EXPECT_EQ(Summaries(r),
            (Strings{"invalid-cidr spec.network.address 15:14", "invalid-mac spec.network.mac 16:10",
                     "invalid-enum spec.network.mode 17:11", "invalid-address spec.network.dns[0] 18:11"}));
  EXPECT_EQ(r.diagnostics[2].summary,
            "mode \"outbond\" is not one of disabled, loopback, outbound, full (did you mean \"outbound\"?)");
}

TEST(ParseVm, NameMustLeaveRoomForTheHostVeth) {
  auto r = Load(VmDoc("averyverylongname", "  network: {bridge: fcbr0}\n"));
  EXPECT_EQ(Summaries(r), Strings{"name-too-long metadata.name 11:9"});
  EXPECT_EQ(r.diagnostics[0].summary,
            "derived host veth name \"bv-averyverylongname\" is 20 characters; the kernel allows 15");
  EXPECT_EQ(Summaries(Load(VmDoc("twelve-chars", "  network: {bridge: fcbr0}\n"))), Strings{});
}

TEST(ParseVm, ReadsFirecrackerWithJailer) {
  auto r = Load(VmDoc("vm1",
                      "  network: {bridge: fcbr0}\n  firecracker:\n    kernel: /var/lib/berth/vmlinux\n"
                      "    rootfs: /var/lib/berth/rootfs.ext4\n    vcpus: 2\n    memoryMiB: 512\n"
                      "    bootArgs: console=ttyS0 reboot=k panic=1\n    jailer: {uid: 10000, gid: 10000}\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  const Firecracker& fc = *r.manifest.vms.at(0).firecracker;
  EXPECT_EQ(fc.kernel, "/var/lib/berth/vmlinux");
  EXPECT_EQ(fc.rootfs, "/var/lib/berth/rootfs.ext4");
  EXPECT_EQ(fc.vcpus, 2);
  EXPECT_EQ(fc.memory_mib, 512);
  EXPECT_EQ(fc.boot_args, "console=ttyS0 reboot=k panic=1");
  EXPECT_EQ(fc.jailer->uid, 10000u);
  EXPECT_EQ(fc.jailer->chroot_base, "");  // under the state directory
}

TEST(ParseVm, ReadsQemuAndRejectsBothHypervisors) {
  auto r =
      Load(VmDoc("vm1", "  network: {bridge: fcbr0}\n  qemu: {kernel: /boot/vmlinuz, initrd: /boot/initrd.img}\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(r.manifest.vms.at(0).qemu->initrd, "/boot/initrd.img");
  EXPECT_EQ(r.manifest.vms[0].qemu->memory_mib, 128);
  auto both =
      Load(VmDoc("vm1", "  network: {bridge: fcbr0}\n  qemu: {kernel: /k}\n  firecracker: {kernel: /k, rootfs: /r}\n"));
  EXPECT_EQ(Summaries(both), Strings{"conflicting-fields spec.firecracker 15:3"});
}

TEST(ParseVm, RejectsMalformedHypervisorValues) {
  auto r = Load(VmDoc("vm1",
                      "  network: {bridge: fcbr0}\n  firecracker:\n    kernel: vmlinux\n    vcpus: 0\n"
                      "    jailer: {uid: -1}\n"));
  EXPECT_EQ(Summaries(r),
            (Strings{"missing-field spec.firecracker.rootfs 14:3", "invalid-path spec.firecracker.kernel 15:13",
                     "out-of-range spec.firecracker.vcpus 16:12", "missing-field spec.firecracker.jailer.gid 17:5",
                     "out-of-range spec.firecracker.jailer.uid 17:19"}));
}

}  // namespace
}  // namespace berth::model
