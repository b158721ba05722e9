// Named network namespaces the iproute2 way (/run/netns/NAME bind mounts, visible to `ip netns`), and a helper
// that runs code inside a namespace on a dedicated thread, since setns and unshare change only one thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/linux/os_util.h"
#include "model/result.h"

namespace berth::drivers::lnx {

/// Runs `fn` on the calling thread inside the network namespace `netns_fd`, then returns the thread to its
/// own namespace (setns is per thread and costs microseconds; handing work to another thread cost two context
/// switches per call). Fails (without running fn) when setns fails. `fn` must not call RunInNetns itself.
OsStatus RunInNetns(int netns_fd, const std::function<void()>& fn);
/// Runs `fn` on the calling thread and returns the thread to its own namespace afterwards: for `fn` that
/// unshares a namespace itself.
void RunThenReturnHome(const std::function<void()>& fn);

/// Opens a namespace file (O_RDONLY|O_CLOEXEC) for setns or IFLA_NET_NS_FD.
Result<UniqueFd, OsError> OpenNetnsFile(const std::string& path);

struct NetnsEntry {
  std::string name;
  bool mounted = false;  // false: a file left behind without a namespace bound to it (crash during create)
  ino_t inode = 0;       // the namespace's identity when mounted
};

/// The directory of named namespaces. Thread-safe.
class NetnsDir {
 public:
  explicit NetnsDir(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string PathOf(std::string_view name) const { return dir_ + "/" + std::string(name); }

  /// Creates NAME like `ip netns add`: fails with EEXIST when the file exists, removes its file on failure.
  OsStatus Create(const std::string& name);
  /// Detaches the bind mount and removes the file, like `ip netns del` (ENOENT when absent). The namespace
  /// itself dies once nothing else holds it.
  OsStatus Delete(const std::string& name);
  /// Every entry of the directory (empty when the directory does not exist).
  Result<std::vector<NetnsEntry>, OsError> List() const;
  Result<UniqueFd, OsError> Open(const std::string& name) const { return OpenNetnsFile(PathOf(name)); }

 private:
  OsStatus PrepareDir();

  std::string dir_;
  std::mutex prepare_mu_;
  bool prepared_ = false;
};

}  // namespace berth::drivers::lnx
