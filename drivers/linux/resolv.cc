// Files in berth's per-netns directories, written atomically (temporary file, fsync, rename) so a reader
// never sees half a resolv.conf; deleting the last file removes the directory.
#include "drivers/linux/resolv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "drivers/linux/apply.h"
#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_resources.h"
#include "reconciler/crash_point.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

std::string DirOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

OsStatus WriteAtomically(const std::string& path, const std::string& content) {
  const std::string dir = DirOf(path);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return OsFailErrno("mkdir " + dir);
  const std::string tmp = dir + "/.berth-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(::gettid());
  // O_EXCL|O_NOFOLLOW: a file or symlink planted under the temporary name is never written through; one left
  // by a crash (or planted) is removed first (unlink takes the link itself, not its target).
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST && ::unlink(tmp.c_str()) == 0)
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return OsFailErrno("create " + tmp);
  UniqueFd guard(fd);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = OsFailErrno("write " + tmp);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  BERTH_CRASH_POINT("file.write.temporary");
  if (::fsync(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = OsFailErrno("rename " + tmp + " " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  return Ok{};
}

}  // namespace

std::optional<std::string> FilePathFor(const std::string& etc_dir, const std::string& name) {
  const std::string prefix = std::string(kEtcNetns) + "/";
  if (!name.starts_with(prefix)) return std::nullopt;
  std::string rest = name.substr(prefix.size());  // berth-vm1/resolv.conf
  size_t slash = rest.find('/');
  if (slash == std::string::npos || rest.find('/', slash + 1) != std::string::npos) return std::nullopt;
  const std::string dir = rest.substr(0, slash), file = rest.substr(slash + 1);
  if (!dir.starts_with(reconciler::linux_res::kNetnsPrefix) || file.empty() || file == "." || file == ".." || dir.find("..") != std::string::npos) {
    return std::nullopt;
  }
  return etc_dir + "/" + rest;
}

void ApplyFiles(Env& env, std::vector<Job*>& jobs) {
  for (Job* job : jobs) {
    auto path = FilePathFor(env.options.etc_dir, job->key().name);
    if (!path) {
      job->Fail(reconciler::DriverError::Kind::kInvalid, "berth writes only /etc/netns/berth-*/FILE");
      continue;
    }
    if (job->op() == reconciler::Op::kDelete) {
      if (::unlink(path->c_str()) != 0 && errno != ENOENT) {
        job->Fail(OsFailErrno("unlink " + *path).error);
        continue;
      }
      BERTH_CRASH_POINT("file.delete.unlinked");
      // The directory goes with its last file; a directory someone else still uses stays.
      ::rmdir(DirOf(*path).c_str());
      continue;
    }
    if (::mkdir(env.options.etc_dir.c_str(), 0755) != 0 && errno != EEXIST) {
      job->Fail(OsFailErrno("mkdir " + env.options.etc_dir).error);
      continue;
    }
    if (auto st = WriteAtomically(*path, job->res().AttrOr(lr::kContent)); !st) job->Fail(st.error());
  }
}

}  // namespace berth::drivers::lnx
