// Named netns creation and deletion following iproute2's ip/ipnetns.c semantics (not its code): a shared
// mount point directory, an O_EXCL file, a namespace unshared by the calling thread, bind-mounted there, and
// the thread back home.
#include "drivers/linux/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "reconciler/crash_point.h"

namespace berth::drivers::lnx {
namespace {

#ifndef NSFS_MAGIC
constexpr long kNsfsMagic = 0x6e736673;
#else
constexpr long kNsfsMagic = NSFS_MAGIC;
#endif

bool IsNsfsMount(const std::string& path) {
  struct statfs st {};
  return ::statfs(path.c_str(), &st) == 0 && st.f_type == kNsfsMagic;
}

}  // namespace

namespace {

/// The calling thread's own namespace, opened once per thread: threads start in the namespace of the thread
/// that made them, and every task below returns there.
int HomeNetns() {
  thread_local UniqueFd home(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  return home.get();
}

/// Runs `fn` on this thread and then returns it to its own namespace. A namespace switch is one setns
/// (microseconds); handing the task to another thread cost two context switches per task, the main cost
/// of creating hundreds of VMs. A thread that cannot return must not run anything else: abort.
void RunThenGoHome(int home, const std::function<void()>& fn) {
  fn();
  if (::setns(home, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "berth: cannot return to the original network namespace: %s\n", std::strerror(errno));
    std::abort();
  }
}

}  // namespace

OsStatus RunInNetns(int netns_fd, const std::function<void()>& fn) {
  const int home = HomeNetns();
  if (home < 0) return OsFailErrno("open /proc/thread-self/ns/net");
  if (::setns(netns_fd, CLONE_NEWNET) != 0) return OsFailErrno("setns");
  RunThenGoHome(home, fn);
  return Ok{};
}

void RunThenReturnHome(const std::function<void()>& fn) {
  const int home = HomeNetns();
  if (home < 0) {
    // Without a way back, run it on a thread of its own that ends with the task.
    std::thread([&] { fn(); }).join();
    return;
  }
  RunThenGoHome(home, fn);
}

Result<UniqueFd, OsError> OpenNetnsFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsFailErrno("open " + path);
  return UniqueFd(fd);
}

OsStatus NetnsDir::PrepareDir() {
  std::lock_guard lock(prepare_mu_);
  if (prepared_) return Ok{};
  if (::mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) return OsFailErrno("mkdir " + dir_);
  // Make the directory a shared mount point so a namespace bound here is visible to (and freed from) every
  // mount namespace; a directory that is not yet a mount point gets bound onto itself first.
  bool bound = false;
  while (::mount("", dir_.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || bound) return OsFailErrno("mount --make-rshared " + dir_);
    if (::mount(dir_.c_str(), dir_.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      return OsFailErrno("mount --rbind " + dir_);
    }
    bound = true;
  }
  prepared_ = true;
  return Ok{};
}

OsStatus NetnsDir::Create(const std::string& name) {
  if (auto st = PrepareDir(); !st) return st;
  const std::string path = PathOf(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return OsFailErrno("create " + path);
  ::close(fd);
  BERTH_CRASH_POINT("netns.create.file");

  OsStatus status = Ok{};
  RunThenReturnHome([&] {
    // unshare moves only this thread, and the bind mount keeps the namespace alive after the thread goes
    // home. /proc/self/ns/net would name the main thread's namespace, so use the thread's own path.
    if (::unshare(CLONE_NEWNET) != 0) {
      status = OsFailErrno("unshare(CLONE_NEWNET)");
      return;
    }
    const std::string self = "/proc/thread-self/ns/net";
    if (::mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
      status = OsFailErrno("mount --bind " + self + " " + path);
    }
  });
  if (!status) ::unlink(path.c_str());
  return status;
}

OsStatus NetnsDir::Delete(const std::string& name) {
  const std::string path = PathOf(name);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return OsFailErrno("stat " + path);
  // EINVAL: not a mount point (a file left by an interrupted create); remove it all the same.
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL) return OsFailErrno("umount " + path);
  BERTH_CRASH_POINT("netns.delete.unmounted");
  if (::unlink(path.c_str()) != 0) return OsFailErrno("unlink " + path);
  return Ok{};
}

Result<std::vector<NetnsEntry>, OsError> NetnsDir::List() const {
  std::vector<NetnsEntry> out;
  DIR* d = ::opendir(dir_.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return OsFailErrno("opendir " + dir_);
  }
  // One stat per entry, relative to the directory: a namespace bound there shows nsfs's device (the one
  // /proc/self/ns/net has) and the namespace's inode; a file left by an interrupted create shows neither.
  static const dev_t nsfs_dev = [] {
    struct stat st {};
    return ::stat("/proc/self/ns/net", &st) == 0 ? st.st_dev : dev_t(0);
  }();
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st {};
    bool mounted = false;
    if (nsfs_dev != 0 && ::fstatat(::dirfd(d), n.c_str(), &st, 0) == 0) mounted = st.st_dev == nsfs_dev;
    else if (nsfs_dev == 0) mounted = IsNsfsMount(PathOf(n));
    out.push_back({n, mounted, mounted ? st.st_ino : ino_t(0)});
  }
  ::closedir(d);
  return out;
}

}  // namespace berth::drivers::lnx
