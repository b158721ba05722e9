// The functional KVM probe (kvm_probe.h): a child process runs a short real-mode program in a vCPU (a loop,
// then `hlt`); the parent waits for its report with a deadline and kills it when it hangs or crawls, as
// KVM_RUN does where nested virtualisation is exposed but cannot run a guest.
#include "drivers/linux/kvm_probe.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <map>

#include <nlohmann/json.hpp>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {
namespace {

using Clock = std::chrono::steady_clock;

/// Writes "<what>: <strerror(errno)>" to the report fd; returns the child's failure status.
int Report(int fd, const char* what) {
  char line[256];
  int n = std::snprintf(line, sizeof line, "%s: %s", what, std::strerror(errno));
  if (n > 0) (void)!::write(fd, line, size_t(n) < sizeof line ? size_t(n) : sizeof line - 1);
  return 1;
}

int ReportText(int fd, const char* text) {
  (void)!::write(fd, text, std::strlen(text));
  return 1;
}

#if defined(__x86_64__) || defined(__i386__)
/// The child's work. Every fd and mapping dies with the child, so nothing is closed on the way out.
int RunHlt(const char* device, int out) {
  const int kvm = ::open(device, O_RDWR | O_CLOEXEC);
  if (kvm < 0) return Report(out, "open");
  const int api = ::ioctl(kvm, KVM_GET_API_VERSION, 0);
  if (api < 0) return Report(out, "KVM_GET_API_VERSION");
  if (api != KVM_API_VERSION) return ReportText(out, "unexpected KVM API version");
  const int vm = ::ioctl(kvm, KVM_CREATE_VM, 0);
  if (vm < 0) return Report(out, "KVM_CREATE_VM");

  // One page of guest memory at 0x1000 holding the program; the vCPU starts there in real mode. A lone `hlt`
  // is not enough: hosts were seen halting it at once and then running guest code at ~100,000 instructions a
  // second (every instruction emulated), where no kernel boots. 2^24 iterations take milliseconds on a KVM
  // that runs guests and minutes on such a host, so the deadline tells them apart.
  static constexpr unsigned char kProgram[] = {
      0x66, 0xb9, 0x00, 0x00, 0x00, 0x01,  // mov ecx, 0x01000000
      0x66, 0x49,                          // dec ecx
      0x75, 0xfc,                          // jnz back to the dec
      0xf4,                                // hlt
  };
  constexpr uint64_t kGuestPage = 0x1000;
  void* mem = ::mmap(nullptr, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return Report(out, "mmap guest memory");
  std::memcpy(mem, kProgram, sizeof kProgram);
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.guest_phys_addr = kGuestPage;
  region.memory_size = 0x1000;
  region.userspace_addr = reinterpret_cast<uint64_t>(mem);
  if (::ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) return Report(out, "KVM_SET_USER_MEMORY_REGION");

  const int vcpu = ::ioctl(vm, KVM_CREATE_VCPU, 0);
  if (vcpu < 0) return Report(out, "KVM_CREATE_VCPU");
  const int run_size = ::ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (run_size < int(sizeof(kvm_run))) return Report(out, "KVM_GET_VCPU_MMAP_SIZE");
  void* run_map = ::mmap(nullptr, size_t(run_size), PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  if (run_map == MAP_FAILED) return Report(out, "mmap vcpu");
  auto* run = static_cast<kvm_run*>(run_map);

  kvm_sregs sregs{};
  if (::ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) return Report(out, "KVM_GET_SREGS");
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  if (::ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) return Report(out, "KVM_SET_SREGS");
  kvm_regs regs{};
  regs.rip = kGuestPage;
  regs.rflags = 0x2;  // bit 1 is reserved and must be set
  if (::ioctl(vcpu, KVM_SET_REGS, &regs) < 0) return Report(out, "KVM_SET_REGS");

  if (::ioctl(vcpu, KVM_RUN, 0) < 0) return Report(out, "KVM_RUN");
  if (run->exit_reason != KVM_EXIT_HLT) {
    char line[96];
    std::snprintf(line, sizeof line, "KVM_RUN exited with reason %u instead of KVM_EXIT_HLT", run->exit_reason);
    return ReportText(out, line);
  }
  return 0;
}
#else
int RunHlt(const char*, int out) { return ReportText(out, "the KVM probe knows only x86 guests"); }
#endif

std::string ReadBootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

/// The device node's identity: a cached verdict is for this node, not for whatever has the path now.
std::string NodeIdentity(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_rdev);
}

}  // namespace

ChildOutcome RunChildWithDeadline(const std::function<int(int report_fd)>& body, std::chrono::milliseconds deadline) {
  ChildOutcome outcome;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    outcome.message = std::string("pipe: ") + std::strerror(errno);
    return outcome;
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) {
    outcome.message = std::string("fork: ") + std::strerror(errno);
    return outcome;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::_exit(body(fds[1]));
  }
  write_end.Reset();

  // Read the report until the child closes its end (it exited) or the deadline passes (it hangs).
  const auto until = Clock::now() + deadline;
  bool timed_out = false;
  for (char buf[256];;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, int(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the loop's clock decides
    const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (outcome.message.size() < 1024) outcome.message.append(buf, size_t(n));
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    outcome.end = ChildOutcome::End::kTimedOut;
  } else if (WIFEXITED(status)) {
    outcome.end = ChildOutcome::End::kExited;
    outcome.code = WEXITSTATUS(status);
  } else {
    outcome.end = ChildOutcome::End::kSignalled;
    outcome.code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return outcome;
}

KvmVerdict ProbeKvm(const std::string& device, std::chrono::milliseconds deadline) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0) return {false, device + " does not exist"};
  const ChildOutcome o = RunChildWithDeadline([&](int fd) { return RunHlt(device.c_str(), fd); }, deadline);
  switch (o.end) {
    case ChildOutcome::End::kExited:
      if (o.code == 0) return {true, ""};
      return {false, device + " cannot run a guest: " + o.message};
    case ChildOutcome::End::kTimedOut:
      return {false, device + " cannot run a guest: a guest loop of 2^24 iterations did not halt within " +
                         std::to_string(deadline.count()) + " ms (nested virtualisation that does not work?)"};
    case ChildOutcome::End::kSignalled:
      return {false, device + " cannot run a guest: the probe died of signal " + std::to_string(o.code)};
    case ChildOutcome::End::kForkFailed:
      break;
  }
  return {false, "the KVM probe could not run: " + o.message};
}

KvmVerdict KvmVerdictForThisBoot(const std::string& device, const std::string& state_dir) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0) return {false, device + " does not exist"};
  const std::string node = NodeIdentity(st);

  // One probe per process and node: `berth watch` observes every pass.
  static std::mutex mu;
  static std::map<std::string, KvmVerdict> memo;
  std::lock_guard lock(mu);
  const std::string memo_key = device + "\n" + node + "\n" + state_dir;
  if (auto it = memo.find(memo_key); it != memo.end()) return it->second;  // no file read on later passes

  const std::string boot = ReadBootId();

  const std::string cache = state_dir.empty() ? "" : state_dir + "/kvm-probe.json";
  if (!cache.empty() && !boot.empty()) {
    std::ifstream in(cache);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    // Anything unexpected in the file (torn, edited, another boot or device) means probing again.
    if (j.is_object() && j.value("boot_id", nlohmann::json()) == boot && j.value("device", nlohmann::json()) == device &&
        j.value("node", nlohmann::json()) == node && j.contains("usable") && j["usable"].is_boolean() &&
        j.value("reason", nlohmann::json()).is_string()) {
      KvmVerdict v{j["usable"].get<bool>(), j["reason"].get<std::string>()};
      memo[memo_key] = v;
      return v;
    }
  }
  KvmVerdict v = ProbeKvm(device);
  memo[memo_key] = v;
  struct stat dir {};
  if (!cache.empty() && !boot.empty() && ::stat(state_dir.c_str(), &dir) == 0 && S_ISDIR(dir.st_mode)) {
    const nlohmann::json j = {{"boot_id", boot}, {"device", device}, {"node", node}, {"usable", v.usable},
                              {"reason", v.reason}};
    (void)WriteFileAtomic(cache, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", 0600);  // a cache: without it the next run probes again
  }
  return v;
}

}  // namespace berth::drivers::lnx
