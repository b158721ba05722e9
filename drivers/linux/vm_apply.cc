// Launching and stopping hypervisor processes. QEMU runs inside the VM's netns as root, not chrooted.
// Firecracker runs under berth's own jailer: a per-VM chroot with the device nodes, the kernel, a private
// writable copy of the rootfs and the config file, entered after the netns, with every privilege dropped.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "drivers/linux/kvm_probe.h"
#include "drivers/linux/vm.h"
#include "drivers/linux/vm_process.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace fs = std::filesystem;
namespace lr = reconciler::linux_res;
using Kind = reconciler::DriverError::Kind;

constexpr int kStartupCheckMs = 500;  // a hypervisor that rejects its arguments exits well within this

/// A private copy: a reflink where the filesystem shares extents (FICLONE), else a byte copy.
OsStatus CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return OsFailErrno("open " + from);
  UniqueFd src(in);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (out < 0) return OsFailErrno("create " + to);
  UniqueFd dst(out);
  if (::ioctl(out, FICLONE, in) == 0) return Ok{};
  for (;;) {
    ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n == 0) return Ok{};
    if (n > 0) continue;
    if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS) return OsFailErrno("copy " + from);
    break;  // fall back to read/write (some filesystems refuse copy_file_range)
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n == 0) return Ok{};
    if (n < 0) return OsFailErrno("read " + from);
    if (::write(out, buf, size_t(n)) != n) return OsFailErrno("write " + to);
  }
}

OsStatus Chown(const std::string& path, uid_t uid, gid_t gid) {
  if (::lchown(path.c_str(), uid, gid) != 0) return OsFailErrno("chown " + path);
  return Ok{};
}

/// The jail, as Firecracker's jailer lays it out: root, dev, dev/net owned by the VM's ids; tun, kvm and
/// urandom nodes (0600, the VM's); the binary, kernel, config readable; the rootfs copy the VM's own.
OsStatus PrepareJail(const VmPaths& p, const reconciler::Resource& r, const std::string& binary, uid_t uid, gid_t gid) {
  std::error_code ec;
  fs::remove_all(p.jail, ec);  // a previous launch's leftovers: the rootfs copy is per launch
  fs::create_directories(p.chroot + "/dev/net", ec);
  if (ec) return OsFail(ec.value(), "mkdir " + p.chroot + "/dev/net");
  for (const std::string& dir : {p.chroot, p.chroot + "/dev", p.chroot + "/dev/net"}) {
    ::chmod(dir.c_str(), 0755);
    if (auto st = Chown(dir, uid, gid); !st) return st;
  }
  struct Node {
    const char* path;
    unsigned major, minor;
  };
  for (const Node& n : {Node{"/dev/net/tun", 10, 200}, Node{"/dev/kvm", 10, 232}, Node{"/dev/urandom", 1, 9}}) {
    const std::string path = p.chroot + n.path;
    if (::mknod(path.c_str(), S_IFCHR | 0600, makedev(n.major, n.minor)) != 0) return OsFailErrno("mknod " + path);
    if (auto st = Chown(path, uid, gid); !st) return st;
  }
  if (auto st = CopyFile(binary, p.chroot + "/firecracker", 0755); !st) return st;
  if (auto st = CopyFile(r.AttrOr(lr::kKernel), p.chroot + "/vmlinux", 0644); !st) return st;
  if (auto st = CopyFile(r.AttrOr(lr::kRootfs), p.chroot + "/rootfs.ext4", 0600); !st) return st;
  if (auto st = Chown(p.chroot + "/rootfs.ext4", uid, gid); !st) return st;
  return WriteFileAtomic(p.chroot + "/config.json", FirecrackerConfig(r), 0644);
}

std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

std::optional<uint32_t> Id(const reconciler::Resource& r, const char* name) {
  const std::string* v = r.Attr(name);
  if (!v || v->empty()) return std::nullopt;
  char* end = nullptr;
  unsigned long n = std::strtoul(v->c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return uint32_t(n);
}

/// Stops whatever the record of this VM still names (defensive: the plan launches only dead or absent VMs).
void StopRecorded(const VmPaths& p, int timeout_ms) {
  std::ifstream in(p.record);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!in || j.is_discarded() || !j.is_object()) return;
  (void)StopProcess(j.value("pid", 0), j.value("started", ""), timeout_ms);
}

void Launch(Env& env, Job& job) {
  const reconciler::Resource& r = job.res();
  const std::string& vm = job.key().name;
  const std::string hv = r.AttrOr(lr::kHypervisor);
  const bool firecracker = hv == lr::kFirecracker;
  if (!firecracker && hv != lr::kQemu) return job.Fail(Kind::kInvalid, "unknown hypervisor \"" + hv + "\"");
  const VmPaths p = PathsOf(env.options, vm, r.AttrOr(lr::kChrootBase));
  const std::string binary = ResolveBinary(firecracker ? env.options.firecracker_binary : env.options.qemu_binary);
  if (binary.empty()) return job.Fail(OsError{ENOENT, "find the " + hv + " binary"});

  StopRecorded(p, env.options.stop_timeout_ms);
  std::error_code ec;
  fs::remove_all(p.dir, ec);  // a fresh console: a reader never mistakes the last boot's output for this one's
  fs::create_directories(p.dir, ec);
  if (ec) return job.Fail(OsError{ec.value(), "mkdir " + p.dir});
  ::chmod(p.dir.c_str(), 0700);

  auto netns = env.netns.Open(r.AttrOr(lr::kNetnsAttr));
  if (!netns) return job.Fail(netns.error());
  int log = ::open(p.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log < 0) return job.Fail(OsFailErrno("open " + p.log).error);
  UniqueFd log_fd(log);

  SpawnSpec spec;
  spec.netns_fd = netns->get();
  spec.output_fd = log;
  const std::string owner = "VM/" + vm;
  // The ownership mark, from exec on: berth finds its processes by it even without a record.
  spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
              std::string(lr::kOwnerEnv) + "=" + owner};
  bool kvm = true;  // Firecracker runs only on KVM (held back at plan time without it)
  if (firecracker) {
    auto uid = Id(r, lr::kUid), gid = Id(r, lr::kGid);
    if (!uid || !gid) return job.Fail(Kind::kInvalid, "firecracker needs numeric uid and gid");
    if (auto st = PrepareJail(p, r, binary, *uid, *gid); !st) return job.Fail(st.error());
    spec.chroot = p.chroot;
    spec.uid = *uid;
    spec.gid = *gid;
    spec.exe = "/firecracker";
    spec.argv = {"firecracker", "--id", vm, "--config-file", "/config.json", "--no-api"};
  } else {
    spec.exe = binary;
    spec.argv = {binary};
    kvm = KvmVerdictForThisBoot(env.options.kvm_device, env.options.state_dir).usable;
    for (auto& a : QemuArguments(r, p, kvm)) spec.argv.push_back(std::move(a));
  }

  auto pid = Spawn(spec);
  if (!pid) return job.Fail(pid.error());
  const std::string started = ProcessStartTime(*pid);
  nlohmann::json record = {{"owner", owner}, {"pid", *pid}, {"started", started}, {"attrs", r.attrs},
                           {"accelerator", kvm ? "kvm" : "tcg"}};
  record["attrs"].erase(lr::kRunning);
  if (auto st = WriteFileAtomic(p.record, record.dump(2) + "\n", 0600); !st) return job.Fail(st.error());
  if (started.empty() || WaitForExit(*pid, kStartupCheckMs)) {
    std::string why = LastLine(p.log);
    return job.Fail(Kind::kOther, hv + " exited right after start" + (why.empty() ? "" : ": " + why) + " (see " +
                                      p.log + ")");
  }
}

void Stop(Env& env, Job& job) {
  const reconciler::Resource& r = job.res();
  pid_t pid = pid_t(std::strtol(r.AttrOr(lr::kPid, "0").c_str(), nullptr, 10));
  if (auto st = StopProcess(pid, r.AttrOr(lr::kStarted), env.options.stop_timeout_ms); !st) return job.Fail(st.error());
  const VmPaths p = PathsOf(env.options, job.key().name, r.AttrOr(lr::kChrootBase));
  std::error_code ec;
  fs::remove_all(p.jail, ec);
  if (!ec) fs::remove_all(p.dir, ec);
  if (ec) job.Fail(OsError{ec.value(), "remove " + p.dir});
}

}  // namespace

void ApplyVms(Env& env, std::vector<Job*>& jobs) {
  for (Job* job : jobs) {
    if (job->op() == reconciler::Op::kDelete) Stop(env, *job);
    else Launch(env, *job);
  }
}

}  // namespace berth::drivers::lnx
