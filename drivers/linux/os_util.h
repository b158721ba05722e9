// Small POSIX helpers shared by the Linux driver: an owning fd, an errno-carrying error value, and the
// mapping from errno to DriverError kinds.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "model/result.h"
#include "reconciler/driver.h"

namespace berth::drivers::lnx {

/// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// A failed system call or netlink request: positive errno plus what was attempted ("RTM_NEWLINK",
/// "mount /run/netns"), and the kernel's extended-ack text when it gave one.
struct OsError {
  OsError() = default;
  OsError(int e, std::string w, std::string d = {}) : err(e), what(std::move(w)), detail(std::move(d)) {}

  int err = 0;
  std::string what;
  std::string detail;  // kernel extended ack, may be empty

  /// "RTM_NEWLINK: File exists" or "RTM_NEWLINK: Invalid argument (Error: ...)".
  std::string ToString() const;
};

using OsStatus = Status<OsError>;
inline Unexpected<OsError> OsFail(int err, std::string what, std::string detail = {}) {
  return Unexpected<OsError>{OsError{err, std::move(what), std::move(detail)}};
}
/// OsFail with the current errno.
Unexpected<OsError> OsFailErrno(std::string what);

reconciler::DriverError::Kind KindFromErrno(int err);

/// Replaces `path` with `content` all at once: written to `path.tmp` (not through a symlink), synced, renamed.
OsStatus WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode);

/// An error for `key` whose message is what failed ("RTM_NEWLINK: File exists"; DriverError::ToString adds
/// the op and key), with the kind taken from the errno.
reconciler::DriverError MakeDriverError(const std::string& op, const reconciler::ResourceKey& key,
                                        const OsError& e);
/// An error with no errno behind it (invalid attributes, unsupported kind).
reconciler::DriverError MakeDriverError(const std::string& op, const reconciler::ResourceKey& key,
                                        reconciler::DriverError::Kind kind, const std::string& message);

}  // namespace berth::drivers::lnx
