// How each hypervisor is told what to run: QEMU's argv, Firecracker's config file, the per-VM paths, and
// which launches this host cannot do (no usable KVM, no binary).
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "drivers/linux/kvm_probe.h"
#include "drivers/linux/vm.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

int IntOr(const reconciler::Resource& r, const char* name, int fallback) {
  const std::string v = r.AttrOr(name);
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  return v.empty() || *end != '\0' ? fallback : int(n);
}

}  // namespace

VmPaths PathsOf(const LinuxDriverOptions& options, const std::string& vm, const std::string& chroot_base) {
  VmPaths p;
  p.dir = options.state_dir + "/vms/" + vm;
  p.record = p.dir + "/record.json";
  p.console = p.dir + "/console.log";
  p.log = p.dir + "/hypervisor.log";
  // berth-named path: everything under it is berth's (the jailer's <base>/<exec name>/<id>/root layout).
  const std::string base = chroot_base.empty() ? options.state_dir + "/jail" : chroot_base;
  p.jail = base + "/firecracker/" + vm;
  p.chroot = p.jail + "/root";
  return p;
}

std::string ResolveBinary(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::map<std::string, std::string> LaunchBlockers(const LinuxDriverOptions& options) {
  std::map<std::string, std::string> out;
  // A device that exists is not enough: the probe runs a guest instruction (cached per boot).
  if (const KvmVerdict kvm = KvmVerdictForThisBoot(options.kvm_device, options.state_dir); !kvm.usable)
    out["kvm"] = kvm.reason;
  if (ResolveBinary(options.qemu_binary).empty()) out[lr::kQemu] = "no QEMU binary " + options.qemu_binary;
  if (ResolveBinary(options.firecracker_binary).empty())
    out[lr::kFirecracker] = "no Firecracker binary " + options.firecracker_binary;
  return out;
}

std::vector<std::string> QemuArguments(const reconciler::Resource& r, const VmPaths& paths, bool kvm) {
  std::vector<std::string> a = {
      "-name", "guest=" + r.key.name,
      // Only what is asked for: no default NIC, monitor, display or config files of the host.
      "-nodefaults", "-no-user-config", "-display", "none",
      // The guest's poweroff or reboot ends the process: berth sees it and restarts it as drift.
      "-no-reboot",
      // KVM only where the probe saw it run a guest: QEMU would pick a KVM that answers but never runs one.
      "-accel", kvm ? "kvm" : "tcg",
      "-smp", std::to_string(IntOr(r, lr::kVcpus, 1)), "-m", std::to_string(IntOr(r, lr::kMemoryMib, 128)),
      "-serial", "file:" + paths.console,
      "-kernel", r.AttrOr(lr::kKernel)};
  if (auto* initrd = r.Attr(lr::kInitrd); initrd && !initrd->empty()) a.insert(a.end(), {"-initrd", *initrd});
  if (auto* args = r.Attr(lr::kBootArgs); args && !args->empty()) a.insert(a.end(), {"-append", *args});
  if (auto* tap = r.Attr(lr::kTap); tap && !tap->empty()) {
    a.insert(a.end(), {"-netdev", "tap,id=net0,ifname=" + *tap + ",script=no,downscript=no", "-device",
                       "virtio-net-pci,netdev=net0,mac=" + r.AttrOr(lr::kMac)});
  }
  return a;
}

std::string FirecrackerConfig(const reconciler::Resource& r) {
  using nlohmann::json;
  // Field names and types of Firecracker's API (BootSource, Drive, MachineConfiguration, NetworkInterface);
  // paths are inside the chroot, where the jailer puts the kernel and the VM's own copy of the rootfs.
  json config = {
      {"boot-source", {{"kernel_image_path", "/vmlinux"}, {"boot_args", r.AttrOr(lr::kBootArgs)}}},
      {"drives", json::array({{{"drive_id", "rootfs"},
                               {"path_on_host", "/rootfs.ext4"},
                               {"is_root_device", true},
                               {"is_read_only", false}}})},
      {"machine-config", {{"vcpu_count", IntOr(r, lr::kVcpus, 1)}, {"mem_size_mib", IntOr(r, lr::kMemoryMib, 128)}}},
      {"network-interfaces", json::array()}};
  if (auto* tap = r.Attr(lr::kTap); tap && !tap->empty()) {
    config["network-interfaces"].push_back(
        {{"iface_id", "eth0"}, {"host_dev_name", *tap}, {"guest_mac", r.AttrOr(lr::kMac)}});
  }
  return config.dump(2) + "\n";
}

}  // namespace berth::drivers::lnx
