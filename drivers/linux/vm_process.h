// Detached processes for the hypervisor driver: spawn one inside a netns (optionally chrooted and without
// privileges), find berth-tagged processes in /proc, and stop one gracefully then by force.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {

struct SpawnSpec {
  std::string exe;                // absolute; inside `chroot` when one is given
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // the whole environment, "NAME=value"
  int netns_fd = -1;              // joined with setns before anything else
  int output_fd = -1;             // the process's stdout and stderr
  std::string chroot;             // "": none
  std::optional<uid_t> uid;       // with gid: setgroups({}), setresgid, setresuid, then no_new_privs
  std::optional<gid_t> gid;
};

/// Starts `spec` detached from berth (double fork, own session, stdin /dev/null, no inherited fds) and returns
/// its pid once exec succeeded; a failure before exec comes back with the step that failed ("setns", "chroot").
Result<pid_t, OsError> Spawn(const SpawnSpec& spec);

/// Field 22 of /proc/PID/stat; "" when the process is gone or a zombie.
std::string ProcessStartTime(int pid);

/// The value of `tag_name` in the environment the process was exec'd with; "" when absent or unreadable.
std::string ProcessTag(pid_t pid, const std::string& tag_name);

/// Live processes whose network namespace is one of `netns_inodes` and whose environment carries
/// `tag_name`=VALUE, as VALUE -> pids (ascending).
std::map<std::string, std::vector<pid_t>> TaggedProcesses(const std::set<ino_t>& netns_inodes,
                                                          const std::string& tag_name);

/// Stops `pid` if it is still the process that started at `started`: SIGTERM, then SIGKILL after
/// `timeout_ms`; returns once it has exited. A process already gone is success.
OsStatus StopProcess(pid_t pid, const std::string& started, int timeout_ms);

/// Waits up to `ms` for `pid` to exit; true when it did (or was already gone).
bool WaitForExit(pid_t pid, int ms);

}  // namespace berth::drivers::lnx
