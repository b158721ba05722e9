// The state directory (--state-dir, default /var/lib/berth): what must survive crashes and reboots — IPAM
// allocations — written atomically. The apply lock lives apart, under /run/berth (--lock-dir), because a
// reboot must free it.
#pragma once

#include <chrono>
#include <string>

#include "model/result.h"
#include "reconciler/ipam.h"

namespace berth::reconciler {

inline constexpr const char* kDefaultStateDir = "/var/lib/berth";
inline constexpr const char* kDefaultLockDir = "/run/berth";

class StateDir {
 public:
  explicit StateDir(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  /// Reads allocations.json; a missing file is an empty set (first run), a corrupt one an error.
  Result<Allocations> LoadAllocations() const;
  /// Writes allocations.json atomically (temporary file, fsync, rename), creating the directory if needed.
  Status<> SaveAllocations(const Allocations& allocations) const;
  /// Saves `allocations` when they differ from the saved ones; a plan with nothing to change on the host may
  /// still move an address that only the guest's boot sees (a full-mode VM's), and berth show must report it.
  Status<> RecordAllocations(const Allocations& allocations) const;

  /// The manifest resources berth has applied (inventory.json): what a later removal may call a deletion rather
  /// than a leak. Missing file: empty.
  Result<std::vector<std::string>> LoadInventory() const;
  Status<> SaveInventory(const std::vector<std::string>& ids) const;

 private:
  std::string path_;
};

/// An exclusive, process-lifetime lock on <dir>/apply.lock (flock), released by the destructor or by the
/// kernel when the process dies. The holder writes its pid and command so a refusal can name it.
class ApplyLock {
 public:
  /// Waits up to `wait` for a holder to let go (berth watch releases it between passes), then gives up
  /// naming the holder.
  static Result<ApplyLock> Acquire(const std::string& dir, const std::string& holder_description,
                                   std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  ApplyLock(ApplyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ApplyLock& operator=(ApplyLock&&) = delete;
  ApplyLock(const ApplyLock&) = delete;
  ~ApplyLock();

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace berth::reconciler
