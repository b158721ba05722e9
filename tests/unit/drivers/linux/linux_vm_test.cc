// The hypervisor step: expansion (ip= from the allocation), order against the VM's network both ways, a dead
// process as drift, launches held back per VM when the host lacks KVM or the binary.
#include <gtest/gtest.h>

#include <algorithm>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_vm.h"
#include "reconciler/planner.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using namespace linux_res;  // NOLINT
using testing::MakeBridge;
using testing::MakeVm;

model::Manifest QemuManifest(const std::string& boot_args = "console=ttyS0") {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.170.0.1/24"));
  auto vm = MakeVm("guest", "br0", model::NetworkMode::kOutbound, "10.170.0.10/24");
  vm.network.dns = {"10.170.0.1"};
  vm.qemu = model::Qemu{"/boot/vmlinuz", "/boot/initrd", 1, 256, boot_args};
  m.vms.push_back(vm);
  auto fc = MakeVm("fc", "br0", model::NetworkMode::kOutbound, "10.170.0.11/24");
  fc.firecracker = model::Firecracker{"/k", "/r", 2, 128, "console=ttyS0", model::FirecrackerJailer{1234, 1235, ""}};
  m.vms.push_back(fc);
  return m;
}

Plan MakePlanOn(drivers::sim::SimHost& host, const model::Manifest& m, std::vector<std::string> applied = {}) {
  PlanInput in;
  in.manifest = &m;
  in.allocations = Allocate(m, {}).allocations;
  in.observed = *host.Observe({});
  in.guard.allow = true;
  in.applied_ids = std::move(applied);
  auto plan = MakePlan(*MakeLinuxPlatform(), std::move(in));
  EXPECT_TRUE(plan.ok());
  return std::move(*plan);
}

int StepOf(const Plan& plan, Op op, const ResourceKey& key) {
  for (const auto& s : plan.steps)
    if (s.op == op && s.key() == key) return s.id;
  return -1;
}

void ApplyAll(drivers::sim::SimHost& host, const Plan& plan) {
  for (const auto& s : plan.steps) {
    ApplyRequest req{{Action{s.id, s.op, s.resource, s.fields}}};
    auto resp = host.Apply(req);
    ASSERT_FALSE(resp.results.at(0).error) << resp.results[0].error->ToString();
  }
}

TEST(LinuxVm, KernelIpArgumentCarriesAddressGatewayMaskAndDns) {
  EXPECT_EQ(KernelIpArgument(*model::Cidr4::Parse("10.170.0.10/24"), *model::Ipv4::Parse("10.170.0.1"),
                             {"10.170.0.1", "9.9.9.9", "1.1.1.1"}),
            "ip=10.170.0.10::10.170.0.1:255.255.255.0::eth0:off:10.170.0.1:9.9.9.9");
}

TEST(LinuxVm, ExpansionDescribesTheLaunch) {
  const auto m = QemuManifest();
  auto desired = MakeLinuxPlatform()->Expand(m, Allocate(m, {}).allocations);
  const Resource* q = desired.Find({kVmProc, "", "guest"});
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->AttrOr(kHypervisor), "qemu");
  EXPECT_EQ(q->AttrOr(kNetnsAttr), "berth-guest");
  EXPECT_EQ(q->AttrOr(kTap), "tap0");
  EXPECT_EQ(q->AttrOr(kBootArgs), "console=ttyS0 ip=10.170.0.10::10.170.0.1:255.255.255.0::eth0:off:10.170.0.1");
  EXPECT_EQ(q->AttrOr(kConfigHash), VmConfigHash(q->attrs));
  const Resource* fc = desired.Find({kVmProc, "", "fc"});
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->AttrOr(kUid), "1234");
  // The TAP belongs to the jailed uid so the unprivileged Firecracker can attach to it.
  EXPECT_EQ(desired.Find({kLink, "berth-fc", "tap0"})->AttrOr(kOwnerUid), "1234");
  // A user-given ip= wins.
  auto own = QemuManifest("console=ttyS0 ip=dhcp");
  auto d2 = MakeLinuxPlatform()->Expand(own, Allocate(own, {}).allocations);
  EXPECT_EQ(d2.Find({kVmProc, "", "guest"})->AttrOr(kBootArgs), "console=ttyS0 ip=dhcp");
}

TEST(LinuxVm, LaunchFollowsTheNetworkAndRemovalStopsItFirst) {
  drivers::sim::SimHost host;
  const auto m = QemuManifest();
  Plan plan = MakePlanOn(host, m);
  const ResourceKey proc{kVmProc, "", "guest"};
  const int launch = StepOf(plan, Op::kCreate, proc);
  ASSERT_GE(launch, 0);
  for (const ResourceKey& dep : {ResourceKey{kNetns, "", "berth-guest"}, ResourceKey{kLink, "berth-guest", "tap0"},
                                 ResourceKey{kTc, "berth-guest", "tap0"}, ResourceKey{kTc, "berth-guest", "eth0"}})
    EXPECT_LT(StepOf(plan, Op::kCreate, dep), launch) << dep.ToString();
  // The TAP comes up (after its qdisc) before the VM is launched on it.
  const int tap_up = StepOf(plan, Op::kUpdate, {kLink, "berth-guest", "tap0"});
  ASSERT_GE(tap_up, 0);
  const auto& launch_deps = plan.steps[launch].depends_on;
  EXPECT_NE(std::find(launch_deps.begin(), launch_deps.end(), tap_up), launch_deps.end());
  ApplyAll(host, plan);
  EXPECT_FALSE(MakePlanOn(host, m).HasWork());

  model::Manifest without = m;
  without.vms.erase(without.vms.begin());  // guest goes
  Plan removal = MakePlanOn(host, without, {"Bridge/br0", "VM/fc", "VM/guest"});
  const int stop = StepOf(removal, Op::kDelete, proc), netns = StepOf(removal, Op::kDelete, {kNetns, "", "berth-guest"});
  ASSERT_GE(stop, 0);
  ASSERT_GE(netns, 0);
  EXPECT_LT(stop, netns);
  const auto& deps = removal.steps[netns].depends_on;
  EXPECT_NE(std::find(deps.begin(), deps.end(), stop), deps.end());
}

TEST(LinuxVm, ADeadProcessIsDriftRepairedByARestart) {
  drivers::sim::SimHost host;
  const auto m = QemuManifest();
  ApplyAll(host, MakePlanOn(host, m));
  ASSERT_FALSE(host.Mutate({kVmProc, "", "guest"}, kRunning, kFalse));
  Plan plan = MakePlanOn(host, m);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].op, Op::kUpdate);
  EXPECT_EQ(plan.steps[0].fields, std::vector<std::string>{kRunning});
}

TEST(LinuxVm, UnusableKvmHoldsBackOnlyFirecrackerVmsAndQemuIsSaidToRunUnderTcg) {
  drivers::sim::SimHost host;
  host.AddFacts({.foreign_networks = {}, .interfaces = {}, .missing_features = {}, .foreign_drop_chains = {},
                 .launch_blockers = {{"kvm", "/dev/kvm cannot run a guest: KVM_RUN: Invalid argument"}}});
  Plan plan = MakePlanOn(host, QemuManifest());
  EXPECT_GE(StepOf(plan, Op::kCreate, {kVmProc, "", "guest"}), 0);
  EXPECT_EQ(StepOf(plan, Op::kCreate, {kVmProc, "", "fc"}), -1);
  EXPECT_GE(StepOf(plan, Op::kCreate, {kLink, "berth-fc", "tap0"}), 0);  // its network still converges
  EXPECT_FALSE(plan.refusal);
  EXPECT_TRUE(plan.changes.conflicts.empty());
  ASSERT_EQ(plan.changes.warnings.size(), 2u);
  std::vector<std::string> messages;
  for (const auto& w : plan.changes.warnings) messages.push_back(w.message);
  std::sort(messages.begin(), messages.end());
  EXPECT_NE(messages[0].find("vmproc:/fc not launched (would create): /dev/kvm cannot run a guest: KVM_RUN: "
                             "Invalid argument: Firecracker needs KVM"),
            std::string::npos) << messages[0];
  EXPECT_NE(messages[1].find("vmproc:/guest runs under TCG, not KVM: /dev/kvm cannot run a guest"), std::string::npos)
      << messages[1];
}

TEST(LinuxVm, TheAcceleratorIsNotPartOfTheLaunch) {
  // A verdict that changes must not restart a running VM: the observed accelerator is not compared, and the
  // hash of the launch attributes leaves it out.
  drivers::sim::SimHost host;
  const auto m = QemuManifest();
  ApplyAll(host, MakePlanOn(host, m));
  ASSERT_FALSE(host.Mutate({kVmProc, "", "guest"}, kAccelerator, "tcg"));
  EXPECT_TRUE(MakePlanOn(host, m).steps.empty());
  Attrs a{{kHypervisor, kQemu}, {kKernel, "/k"}};
  Attrs b = a;
  b[kAccelerator] = "kvm";
  EXPECT_EQ(VmConfigHash(a), VmConfigHash(b));
}

}  // namespace
}  // namespace berth::reconciler
