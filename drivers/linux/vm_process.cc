// Spawning and stopping detached hypervisor processes. The child side runs between fork and exec of a
// multithreaded program, so it only makes system calls on data prepared before the fork.
#include "drivers/linux/vm_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace berth::drivers::lnx {
namespace {

/// What the child reports when it fails before exec: the step and errno.
struct ChildFailure {
  int step = 0;
  int err = 0;
};
constexpr const char* kSteps[] = {"fork", "setsid", "setns", "open /dev/null", "dup2", "chroot", "chdir",
                                  "setgroups", "setresgid", "setresuid", "no_new_privs", "exec"};
enum Step { kFork, kSetsid, kSetns, kDevNull, kDup2, kChroot, kChdir, kSetgroups, kSetresgid, kSetresuid,
            kNoNewPrivs, kExec };

[[noreturn]] void Die(int fd, Step step) {
  ChildFailure f{step, errno};
  (void)!::write(fd, &f, sizeof f);
  ::_exit(127);
}

/// The grandchild: becomes the hypervisor. Async-signal-safe calls only.
[[noreturn]] void BecomeHypervisor(const SpawnSpec& spec, char* const* argv, char* const* envp, int report) {
  if (::setns(spec.netns_fd, CLONE_NEWNET) != 0) Die(report, kSetns);
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0) Die(report, kDevNull);
  if (::dup2(null, 0) < 0 || ::dup2(spec.output_fd, 1) < 0 || ::dup2(spec.output_fd, 2) < 0) Die(report, kDup2);
  // Nothing else of berth's crosses exec: mark every other descriptor close-on-exec (the report pipe already is).
  ::syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */);
  if (!spec.chroot.empty()) {
    if (::chroot(spec.chroot.c_str()) != 0) Die(report, kChroot);
    if (::chdir("/") != 0) Die(report, kChdir);
  }
  if (spec.uid && spec.gid) {
    // Group first (it needs the privilege the uid change drops); a non-zero uid then keeps no capability.
    if (::setgroups(0, nullptr) != 0) Die(report, kSetgroups);
    if (::setresgid(*spec.gid, *spec.gid, *spec.gid) != 0) Die(report, kSetresgid);
    if (::setresuid(*spec.uid, *spec.uid, *spec.uid) != 0) Die(report, kSetresuid);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Die(report, kNoNewPrivs);
  }
  ::execve(spec.exe.c_str(), argv, envp);
  Die(report, kExec);
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

bool ReadAll(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= size_t(r);
  }
  return true;
}

int PidfdOpen(pid_t pid) { return int(::syscall(SYS_pidfd_open, pid, 0)); }

bool PollExit(int pidfd, int ms) {
  pollfd p{pidfd, POLLIN, 0};
  for (;;) {
    int n = ::poll(&p, 1, ms);
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

std::string ReadSmallFile(const std::string& path, size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  UniqueFd guard(fd);
  std::string out(limit, '\0');
  size_t used = 0;
  while (used < limit) {
    ssize_t n = ::read(fd, out.data() + used, limit - used);
    if (n <= 0) break;
    used += size_t(n);
  }
  out.resize(used);
  return out;
}

}  // namespace

Result<pid_t, OsError> Spawn(const SpawnSpec& spec) {
  std::vector<char*> argv = CStrings(spec.argv), envp = CStrings(spec.env);
  int pid_pipe[2], report_pipe[2];
  if (::pipe2(pid_pipe, O_CLOEXEC) != 0) return OsFailErrno("pipe");
  UniqueFd pid_r(pid_pipe[0]), pid_w(pid_pipe[1]);
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) return OsFailErrno("pipe");
  UniqueFd report_r(report_pipe[0]), report_w(report_pipe[1]);

  pid_t child = ::fork();
  if (child < 0) return OsFailErrno("fork");
  if (child == 0) {
    // The intermediate: a new session, then the hypervisor as its child, then exit so init adopts it and
    // berth never has to reap it (berth watch runs for months).
    if (::setsid() < 0) Die(report_w.get(), kSetsid);
    pid_t grandchild = ::fork();
    if (grandchild < 0) Die(report_w.get(), kFork);
    if (grandchild == 0) BecomeHypervisor(spec, argv.data(), envp.data(), report_w.get());
    (void)!::write(pid_w.get(), &grandchild, sizeof grandchild);
    ::_exit(0);
  }
  pid_w.Reset();
  report_w.Reset();
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  pid_t pid = -1;
  const bool have_pid = ReadAll(pid_r.get(), &pid, sizeof pid);
  ChildFailure failure;
  if (ReadAll(report_r.get(), &failure, sizeof failure)) {  // EOF instead: exec succeeded
    if (failure.step < 0 || failure.step > kExec) failure.step = kExec;
    return OsFail(failure.err, std::string(kSteps[failure.step]) + " for " + spec.exe);
  }
  if (!have_pid) return OsFail(ECHILD, "fork for " + spec.exe);
  return pid;
}

std::string ProcessStartTime(int pid) {
  const std::string stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat", 4096);
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3 && (field == "Z" || field == "X")) return "";
    if (i == 22) return field;
  }
  return "";
}

std::string ProcessTag(pid_t pid, const std::string& tag_name) {
  const std::string environ = ReadSmallFile("/proc/" + std::to_string(pid) + "/environ", 256 * 1024);
  const std::string prefix = tag_name + "=";
  for (size_t at = 0; at < environ.size();) {
    size_t nul = environ.find('\0', at);
    if (nul == std::string::npos) nul = environ.size();
    if (environ.compare(at, prefix.size(), prefix) == 0) return environ.substr(at + prefix.size(), nul - at - prefix.size());
    at = nul + 1;
  }
  return "";
}

std::map<std::string, std::vector<pid_t>> TaggedProcesses(const std::set<ino_t>& netns_inodes,
                                                          const std::string& tag_name) {
  std::map<std::string, std::vector<pid_t>> out;
  if (netns_inodes.empty()) return out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* d = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(d->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    const std::string base = "/proc/" + std::string(d->d_name);
    struct stat st {};
    // The namespace first: it is cheap and excludes every process outside berth's VMs (other sandboxes too).
    if (::stat((base + "/ns/net").c_str(), &st) != 0 || !netns_inodes.count(st.st_ino)) continue;
    std::string tag = ProcessTag(pid_t(pid), tag_name);
    if (!tag.empty() && !ProcessStartTime(int(pid)).empty()) out[tag].push_back(pid_t(pid));
  }
  ::closedir(proc);
  for (auto& [tag, pids] : out) std::sort(pids.begin(), pids.end());
  return out;
}

bool WaitForExit(pid_t pid, int ms) {
  int fd = PidfdOpen(pid);
  if (fd < 0) return errno == ESRCH;
  UniqueFd guard(fd);
  return PollExit(fd, ms);
}

OsStatus StopProcess(pid_t pid, const std::string& started, int timeout_ms) {
  if (pid <= 0) return Ok{};
  int fd = PidfdOpen(pid);
  if (fd < 0) {
    if (errno == ESRCH) return Ok{};
    return OsFailErrno("pidfd_open " + std::to_string(pid));
  }
  UniqueFd pidfd(fd);
  // Checked after pidfd_open: the descriptor now pins this very process, so a recycled pid is never signalled.
  if (started.empty() || ProcessStartTime(pid) != started) return Ok{};
  for (int sig : {SIGTERM, SIGKILL}) {
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) != 0) {
      if (errno == ESRCH) return Ok{};
      return OsFailErrno(std::string("kill ") + (sig == SIGTERM ? "-TERM " : "-KILL ") + std::to_string(pid));
    }
    if (PollExit(pidfd.get(), sig == SIGTERM ? timeout_ms : 10000)) return Ok{};
  }
  return OsFail(EBUSY, "process " + std::to_string(pid) + " survived SIGKILL");
}

}  // namespace berth::drivers::lnx
