// Whether this host's KVM can actually run a guest. Many cloud VMs expose a /dev/kvm whose ioctls answer
// while nested virtualisation cannot run a guest: a hypervisor given that device never prints a line. So the
// probe runs guest code: a real-mode loop ending in `hlt` in a vCPU of a throwaway VM, in a forked child that is
// killed at a deadline (docs/hypervisors.md). The verdict is cached per boot in the state directory.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace berth::drivers::lnx {

/// What the probe found. `reason` says why KVM is unusable ("" when usable).
struct KvmVerdict {
  bool usable = false;
  std::string reason;
  friend bool operator==(const KvmVerdict&, const KvmVerdict&) = default;
};

inline constexpr std::chrono::milliseconds kKvmProbeDeadline{2000};

/// How a child run under a deadline ended: `message` is what it wrote before exiting.
struct ChildOutcome {
  enum class End { kExited, kSignalled, kTimedOut, kForkFailed } end = End::kForkFailed;
  int code = 0;  // exit status, or the signal number
  std::string message;
};

/// Runs `body` in a forked child whose return value is its exit status; `body` reports through the fd it
/// is given (at most a few hundred bytes). The child is SIGKILLed when it outlives `deadline`.
/// `body` runs in a child of a possibly multi-threaded process: plain system calls only.
ChildOutcome RunChildWithDeadline(const std::function<int(int report_fd)>& body, std::chrono::milliseconds deadline);

/// Runs the functional probe on `device` now (no cache).
KvmVerdict ProbeKvm(const std::string& device, std::chrono::milliseconds deadline = kKvmProbeDeadline);

/// The verdict for `device` on this boot: from `<state_dir>/kvm-probe.json` when it was written on this boot
/// (`/proc/sys/kernel/random/boot_id`) for the same device node, else probed and written there. A missing
/// device is never cached (it may appear when a module loads). `state_dir` "" disables the cache.
KvmVerdict KvmVerdictForThisBoot(const std::string& device, const std::string& state_dir);

}  // namespace berth::drivers::lnx
