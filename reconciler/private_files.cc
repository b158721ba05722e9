// Private files: every open refuses to follow a symlink, every file and directory must be the effective
// uid's, so a planted link (apply.lock -> /etc/passwd) or another user's file is an error, never a write.
#include "reconciler/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/// Why a directory or file `st` at `path` is not berth's own to use, or "" when it is.
std::string Foreign(const struct stat& st, const std::string& path, bool directory) {
  if (directory && !S_ISDIR(st.st_mode)) return path + " is not a directory";
  if (!directory && !S_ISREG(st.st_mode)) return path + " is not a regular file";
  if (st.st_uid != ::geteuid())
    return path + " belongs to uid " + std::to_string(st.st_uid) + ", not to berth's uid " + std::to_string(::geteuid());
  if (directory && (st.st_mode & (S_IWGRP | S_IWOTH))) return path + " is writable by others than its owner";
  return "";
}

}  // namespace

Status<> EnsurePrivateDir(const std::string& dir) {
  if (dir.empty()) return Fail("empty directory name");
  const fs::path path = fs::path(dir).lexically_normal();
  // Parents first, each made 0700 (chmod after mkdir: the umask could have taken bits from it).
  fs::path partial;
  for (const auto& part : path) {
    partial /= part;
    if (partial == partial.root_path()) continue;
    if (::mkdir(partial.c_str(), 0700) == 0) {
      if (::chmod(partial.c_str(), 0700) != 0) return Fail(Errno("chmod " + partial.string()));
    } else if (errno != EEXIST) {
      return Fail(Errno("create directory " + partial.string()));
    }
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Fail(Errno("stat " + path.string()));
  if (S_ISLNK(st.st_mode)) return Fail("refusing " + path.string() + ": it is a symlink");
  if (auto why = Foreign(st, path.string(), true); !why.empty()) return Fail("refusing " + why);
  return Ok{};
}

Result<std::string> ReadPrivateFile(const std::string& path, bool& missing) {
  missing = false;
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (raw < 0) {
    if (errno == ENOENT) {
      missing = true;
      return std::string();
    }
    if (errno == ELOOP) return Fail("refusing " + path + ": it is a symlink");
    return Fail(Errno("open " + path));
  }
  Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Fail(Errno("stat " + path));
  if (auto why = Foreign(st, path, false); !why.empty()) return Fail("refusing " + why);
  if (st.st_size > off_t(kMaxPrivateFileBytes)) return Fail(path + " is too large to be berth's");
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(Errno("read " + path));
    if (n == 0) break;
    text.append(buf, size_t(n));
    if (text.size() > kMaxPrivateFileBytes) return Fail(path + " is too large to be berth's");
  }
  return text;
}

Status<> WritePrivateFileAtomically(const std::string& path, const std::string& content) {
  const fs::path target(path);
  if (auto st = EnsurePrivateDir(target.parent_path().string()); !st) return st;
  return WriteFileAtomically(path, content, 0600);
}

Status<> WriteFileAtomically(const std::string& path, const std::string& content, unsigned mode) {
  const fs::path target(path);
  const std::string tmp = path + ".tmp";
  int raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (raw < 0 && errno == EEXIST) {
    // Left by a crash (writers hold the apply lock, so it is no one's in flight). unlink removes a planted
    // symlink itself, never what it points to.
    if (::unlink(tmp.c_str()) != 0) return Fail(Errno("remove stale " + tmp));
    raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  }
  if (raw < 0) return Fail(Errno("create " + tmp));
  {
    Fd fd(raw);
    // The mode exactly, whatever the umask took from it (0644 for files other users' launchers read).
    if (::fchmod(fd.get(), mode_t(mode)) != 0) {
      auto e = Fail(Errno("chmod " + tmp));
      ::unlink(tmp.c_str());
      return e;
    }
    size_t done = 0;
    while (done < content.size()) {
      ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        auto e = Fail(Errno("write " + tmp));
        ::unlink(tmp.c_str());
        return e;
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
      auto e = Fail(Errno("sync " + tmp));
      ::unlink(tmp.c_str());
      return e;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = Fail(Errno("rename " + tmp));
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename is durable once the directory is.
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Ok{};
}

}  // namespace berth::reconciler
