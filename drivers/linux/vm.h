// Hypervisor processes (the vmproc kind, docs/hypervisors.md): launching QEMU and Firecracker (berth's own
// jailer) inside a VM's netns, stopping them, and finding them again from the host after berth restarts:
// a record under <state_dir>/vms/<vm>/ verified against /proc (start time, netns, BERTH_OWNER tag).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "drivers/linux/apply.h"
#include "reconciler/resource.h"

namespace berth::drivers::lnx {

/// Where a VM's files live.
struct VmPaths {
  std::string dir;          // <state_dir>/vms/<vm>
  std::string record;       // dir/record.json
  std::string console;      // dir/console.log: the guest's serial console
  std::string log;          // dir/hypervisor.log: the hypervisor's stdout and stderr
  std::string jail;         // firecracker: <chroot_base>/firecracker/<vm> (removed with the VM)
  std::string chroot;       // firecracker: jail/root
};
VmPaths PathsOf(const LinuxDriverOptions& options, const std::string& vm, const std::string& chroot_base);

/// A bare program name resolved through PATH; a path is returned as is when executable. "" when not found.
std::string ResolveBinary(const std::string& name);

/// Observes the vmproc resources of the VMs whose netns is in `netns_names` (mounted berth namespaces).
void ObserveVms(Env& env, const std::vector<std::string>& netns_names, std::vector<reconciler::Resource>& out);
/// "kvm", "qemu", "firecracker" -> why this host cannot launch with it (HostFacts::launch_blockers).
std::map<std::string, std::string> LaunchBlockers(const LinuxDriverOptions& options);

/// Create and update launch (an update is a restart of a dead process); delete stops and cleans up.
void ApplyVms(Env& env, std::vector<Job*>& jobs);

// Pieces exposed for tests.
/// QEMU's argv (without the binary) for a vmproc's attributes; `kvm`: accelerate with KVM, else TCG.
std::vector<std::string> QemuArguments(const reconciler::Resource& r, const VmPaths& paths, bool kvm);
/// Firecracker's --config-file content for a vmproc's attributes (paths inside the chroot).
std::string FirecrackerConfig(const reconciler::Resource& r);
/// Field 22 of /proc/PID/stat (start time in clock ticks since boot); "" when the process is gone or a zombie.
std::string ProcessStartTime(int pid);

}  // namespace berth::drivers::lnx
