// The vmproc resource: expansion from spec.qemu / spec.firecracker, its dependencies, and the plan-time hold
// on launches the host cannot carry out (no /dev/kvm, no hypervisor binary).
#include "drivers/linux/platform/linux_vm.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::reconciler::linux_res {
namespace {

bool HasIpArgument(const std::string& args) {
  // A user-given ip= wins: berth appends its own only when the command line has none.
  return args.starts_with("ip=") || args.find(" ip=") != std::string::npos;
}

std::string Join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + " " + b;
}

}  // namespace

std::string KernelIpArgument(const model::Cidr4& address, const model::Ipv4& gateway,
                             const std::vector<std::string>& dns) {
  std::string arg = "ip=" + address.address.ToString() + "::" + gateway.ToString() + ":" +
                    model::Ipv4{address.mask()}.ToString() + "::eth0:off";
  // The kernel takes at most two nameservers here.
  for (size_t i = 0; i < dns.size() && i < 2; ++i) arg += ":" + dns[i];
  return arg;
}

std::string VmConfigHash(const Attrs& attrs) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;  // separator: "ab"+"c" differs from "a"+"bc"
  };
  for (const auto& [k, v] : attrs) {
    if (k == kRunning || k == kPid || k == kStarted || k == kConfigHash || k == kAccelerator) continue;
    mix(k);
    mix(v);
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016" PRIx64, h);
  return out;
}

void ExpandVmProcess(const model::Vm& vm, const Assignment* assignment, const model::Bridge* bridge,
                     DesiredBuilder& b) {
  if (!vm.firecracker && !vm.qemu) return;
  const std::string& name = vm.doc.metadata.name;
  Attrs attrs{{kRunning, kTrue}, {kNetnsAttr, linux_res::VmNetnsName(name)}};
  std::string ip;
  if (assignment && bridge) {
    attrs[kTap] = std::string(linux_res::kVmTapName);
    attrs[kMac] = assignment->mac.ToString();
    ip = KernelIpArgument(assignment->address, bridge->address.address, vm.network.dns);
  }
  auto common = [&](const std::string& kernel, int vcpus, int memory_mib, const std::string& boot_args) {
    attrs[kKernel] = kernel;
    attrs[kVcpus] = std::to_string(vcpus);
    attrs[kMemoryMib] = std::to_string(memory_mib);
    attrs[kBootArgs] = HasIpArgument(boot_args) ? boot_args : Join(boot_args, ip);
  };
  if (vm.firecracker) {
    const model::Firecracker& fc = *vm.firecracker;
    attrs[kHypervisor] = kFirecracker;
    common(fc.kernel, fc.vcpus, fc.memory_mib, fc.boot_args);
    attrs[kRootfs] = fc.rootfs;
    // berth's own jailer always runs Firecracker unprivileged; without a jailer block, as nobody.
    const model::FirecrackerJailer jailer = fc.jailer.value_or(model::FirecrackerJailer{65534, 65534, ""});
    attrs[kUid] = std::to_string(jailer.uid);
    attrs[kGid] = std::to_string(jailer.gid);
    attrs[kChrootBase] = jailer.chroot_base;
  } else {
    const model::Qemu& q = *vm.qemu;
    attrs[kHypervisor] = kQemu;
    common(q.kernel, q.vcpus, q.memory_mib, q.boot_args);
    if (!q.initrd.empty()) attrs[kInitrd] = q.initrd;
  }
  attrs[kConfigHash] = VmConfigHash(attrs);
  b.Add(kVmProc, "", name, std::move(attrs), vm.doc);
}

std::vector<ResourceKey> VmProcDependencies(const Resource& r) {
  std::vector<ResourceKey> deps;
  const std::string ns = r.AttrOr(kNetnsAttr);
  if (ns.empty()) return deps;
  deps.push_back(ResourceKey{kNetns, "", ns});
  deps.push_back(ResourceKey{kFile, "", "/etc/netns/" + ns + "/resolv.conf"});
  if (auto* tap = r.Attr(kTap); tap && !tap->empty()) {
    deps.push_back(ResourceKey{kLink, ns, *tap});
    deps.push_back(ResourceKey{kTc, ns, *tap});
    deps.push_back(ResourceKey{kTc, ns, std::string(linux_res::kVmPeerName)});
    // Rate limits are in place before the VM sends its first frame.
    deps.push_back(ResourceKey{kQdisc, ns, *tap});
    deps.push_back(ResourceKey{kQdisc, ns, std::string(linux_res::kVmPeerName)});
  }
  // Its policy and packet rates (nft:/vm/NAME) too: a VM never sends a frame its wall does not judge.
  deps.push_back(ResourceKey{kNft, "", "vm/" + r.key.name});
  return deps;
}

std::vector<std::string> LaunchNeeds(const Resource& r) {
  const std::string hv = r.AttrOr(kHypervisor);
  if (hv == kFirecracker) return {kFirecracker, "kvm"};
  if (hv == kQemu) return {kQemu};  // without KVM it falls back to TCG
  return {};
}

void HoldBlockedLaunches(ChangeSet& changes, const HostFacts& facts) {
  if (facts.launch_blockers.empty()) return;
  for (Change& c : changes.changes) {
    if (c.key().kind != kVmProc || !c.after) continue;
    if (c.action != ChangeAction::kCreate && c.action != ChangeAction::kUpdate && c.action != ChangeAction::kReplace)
      continue;
    std::string why;
    for (const auto& need : LaunchNeeds(*c.after))
      if (auto it = facts.launch_blockers.find(need); it != facts.launch_blockers.end())
        why += (why.empty() ? "" : "; ") + it->second + (need == "kvm" ? ": Firecracker needs KVM" : "");
    if (why.empty()) {
      // QEMU still launches without KVM, under TCG (far slower): the plan says so.
      auto kvm = facts.launch_blockers.find("kvm");
      if (kvm != facts.launch_blockers.end() && c.after->AttrOr(kHypervisor) == kQemu)
        changes.warnings.push_back({c.after->provenance.origin() + ": " + c.key().ToString() +
                                        " runs under TCG, not KVM: " + kvm->second,
                                    c.after->provenance});
      continue;
    }
    const std::string was = ToString(c.action);
    c.action = ChangeAction::kNoOp;
    c.removed_with.reset();
    c.reason = "launch blocked: " + why;
    changes.warnings.push_back({c.after->provenance.origin() + ": " + c.key().ToString() + " not launched (would " + was +
                                    "): " + why,
                                c.after->provenance});
  }
}

}  // namespace berth::reconciler::linux_res
