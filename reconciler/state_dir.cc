// State directory and apply lock. Files are small JSON documents written through private_files.h: atomic,
// 0600 in a 0700 directory, never through a symlink, never another user's file.
#include "reconciler/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "reconciler/plan_json.h"
#include "reconciler/private_files.h"

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

/// The JSON document at `file`: nullopt (no error) when missing, an error naming the file when unreadable,
/// not JSON or not an object of `version` 1.
Result<std::optional<json>> ReadRecord(const fs::path& file, const char* what) {
  bool missing = false;
  auto text = ReadPrivateFile(file.string(), missing);
  if (!text) return Unexpected<Error>{text.error()};
  if (missing) return std::optional<json>();
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("version") || j["version"] != 1)
    return Fail(file.string() + ": not a berth " + what + " file");
  return std::optional<json>(std::move(j));
}

}  // namespace

Result<Allocations> StateDir::LoadAllocations() const {
  const fs::path file = fs::path(path_) / "allocations.json";
  auto j = ReadRecord(file, "allocations");
  if (!j) return Unexpected<Error>{j.error()};
  if (!*j) return Allocations{};
  auto interfaces = (**j).find("interfaces");
  auto out = AllocationsFromJson(interfaces == (**j).end() ? json::object() : *interfaces);
  if (!out) return Fail(file.string() + ": " + out.error().message);
  return out;
}

Status<> StateDir::SaveAllocations(const Allocations& allocations) const {
  json j{{"version", 1}, {"interfaces", AllocationsToJson(allocations)}};
  return WritePrivateFileAtomically((fs::path(path_) / "allocations.json").string(),
                                    j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

Status<> StateDir::RecordAllocations(const Allocations& allocations) const {
  auto saved = LoadAllocations();
  if (saved && *saved == allocations) return Ok{};
  return SaveAllocations(allocations);  // also over a corrupt file: these are the allocations in force now
}

Result<std::vector<std::string>> StateDir::LoadInventory() const {
  const fs::path file = fs::path(path_) / "inventory.json";
  auto j = ReadRecord(file, "inventory");
  if (!j) return Unexpected<Error>{j.error()};
  if (!*j) return std::vector<std::string>{};
  auto applied = (**j).find("applied");
  if (applied == (**j).end() || !applied->is_array()) return Fail(file.string() + ": not a berth inventory file");
  std::vector<std::string> ids;
  for (const auto& id : *applied) {
    if (!id.is_string()) return Fail(file.string() + ": \"applied\" holds a " + id.type_name() + ", not a name");
    ids.push_back(id.get<std::string>());
  }
  return ids;
}

Status<> StateDir::SaveInventory(const std::vector<std::string>& ids) const {
  json j{{"version", 1}, {"applied", ids}};
  return WritePrivateFileAtomically((fs::path(path_) / "inventory.json").string(),
                                    j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

Result<ApplyLock> ApplyLock::Acquire(const std::string& dir, const std::string& holder_description,
                                     std::chrono::milliseconds wait) {
  if (auto st = EnsurePrivateDir(dir); !st) return Fail("lock directory: " + st.error().message);
  const std::string path = (fs::path(dir) / "apply.lock").string();
  // O_NOFOLLOW: a planted apply.lock -> victim must not make berth truncate the victim.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
  if (fd < 0 && errno == ELOOP) return Fail("refusing lock " + path + ": it is a symlink");
  if (fd < 0) return Fail(Errno("open " + path));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    return Fail("refusing lock " + path + ": not a regular file of berth's uid");
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[256] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);  // the holder's line, from the file we hold open
    ::close(fd);
    std::string who = n > 0 ? std::string(buf, size_t(n)) : "";
    if (auto nl = who.find('\n'); nl != std::string::npos) who.resize(nl);
    return Fail("another berth is applying on this host (" + (who.empty() ? "unknown holder" : who) + "); lock " +
                path);
  }
  std::string me = holder_description + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    ::close(fd);
    return Fail(Errno("write " + path));
  }
  return ApplyLock(fd);
}

ApplyLock::~ApplyLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace berth::reconciler
