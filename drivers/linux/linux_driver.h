// The Linux driver: observes and changes the host's network namespaces, links, addresses, tc redirects,
// nftables table, sysctls and DNS files through netlink (libnl), /dev/net/tun and libnftables.
#pragma once

#include <memory>
#include <string>

#include "reconciler/driver.h"

// `lnx`, not `linux`: GNU C++ (-std=gnu++20, CMake's default) predefines `linux` as a macro.
namespace berth::drivers::lnx {

struct LinuxDriverOptions {
  std::string netns_dir = "/run/netns";  // named netns, iproute2-compatible
  std::string etc_dir = "/etc/netns";    // per-netns files (resolv.conf), as `ip netns exec` expects them
  std::string proc_sys = "/proc/sys";
  // Hypervisors (docs/hypervisors.md): supervision records and consoles live under <state_dir>/vms/<vm>/.
  std::string state_dir = "/var/lib/berth";
  std::string qemu_binary = "qemu-system-x86_64";  // a bare name is looked up in PATH
  std::string firecracker_binary = "firecracker";
  std::string kvm_device = "/dev/kvm";             // probed (kvm_probe.h); unusable: QEMU under TCG, Firecracker held back
  int stop_timeout_ms = 10000;                     // SIGTERM, then SIGKILL after this long
  int observe_threads = 0;  // threads that read namespaces; 0: one per core once there are enough to share
  bool adopt_foreign_netns = false;  // a berth- netns holding links berth did not make is berth's all the same
  // Record the netns berth creates in <state_dir>/netns.json (netns_record.h); a berth- netns that is not
  // recorded is then not berth's (unless adopt_foreign_netns). Off for drivers that share a state directory.
  bool record_netns = false;
  /// Record a host sysctl's value in <state_dir>/sysctl-originals.json before berth first changes it, for
  /// destroy to restore (sysctl_record.h). The berth binary sets it; drivers made by tests leave state alone.
  bool record_sysctl_originals = false;
};

/// The host is the network namespace of the thread that calls this factory. The driver is thread-safe:
/// Observe and Apply may run concurrently (Apply with disjoint batches); nftables work is serialised.
/// Never fails: a host without a feature reports it in HostFacts::missing_features and in Apply errors.
std::unique_ptr<reconciler::Driver> MakeLinuxDriver(const LinuxDriverOptions& options = {});

}  // namespace berth::drivers::lnx
