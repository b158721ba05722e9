// Error construction for the Linux driver: errno to DriverError kinds, messages naming op and object.
#include "drivers/linux/os_util.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace berth::drivers::lnx {
namespace {

using Kind = reconciler::DriverError::Kind;

}  // namespace

std::string OsError::ToString() const {
  std::string s = what + ": " + std::strerror(err);
  if (!detail.empty()) s += " (" + detail + ")";
  return s;
}

Unexpected<OsError> OsFailErrno(std::string what) { return OsFail(errno, std::move(what)); }

Kind KindFromErrno(int err) {
  switch (err) {
    case EEXIST: case ENOTEMPTY: return Kind::kExists;
    case ENOENT: case ENODEV: case ENXIO: case ESRCH: return Kind::kNotFound;
    case EOPNOTSUPP: case EPROTONOSUPPORT: case EAFNOSUPPORT: case ENOSYS: return Kind::kNotSupported;
    case EPERM: case EACCES: case EROFS: return Kind::kPermission;
    case EBUSY: case EAGAIN: case EINTR: case ENOBUFS: return Kind::kBusy;
    case EINVAL: case ERANGE: case E2BIG: case ENAMETOOLONG: return Kind::kInvalid;
    default: return Kind::kOther;
  }
}

reconciler::DriverError MakeDriverError(const std::string& op, const reconciler::ResourceKey& key,
                                        const OsError& e) {
  reconciler::DriverError d;
  d.kind = KindFromErrno(e.err);
  d.op = op;
  d.key = key;
  d.sys_errno = e.err;
  d.message = e.ToString();
  return d;
}

reconciler::DriverError MakeDriverError(const std::string& op, const reconciler::ResourceKey& key, Kind kind,
                                        const std::string& message) {
  reconciler::DriverError d;
  d.kind = kind;
  d.op = op;
  d.key = key;
  d.message = message;
  return d;
}

OsStatus WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return OsFailErrno("open " + tmp);
  UniqueFd guard(fd);
  if (::write(fd, content.data(), content.size()) != ssize_t(content.size()) || ::fsync(fd) != 0)
    return OsFailErrno("write " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return OsFailErrno("rename " + tmp);
  return Ok{};
}

}  // namespace berth::drivers::lnx
