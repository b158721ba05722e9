// State directory and apply lock. Files are small JSON documents; writes go through a temporary file and
// rename so a crash leaves either the old or the new content, never a torn one.
#include "reconciler/state_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "reconciler/plan_json.h"

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

Status<> WriteFileAtomically(const fs::path& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Fail("create " + path.parent_path().string() + ": " + ec.message());
  const std::string tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Errno("open " + tmp));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Fail(Errno("write " + tmp));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Fail(Errno("sync " + tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Fail(Errno("rename " + tmp));
  return Ok{};
}

}  // namespace

Result<Allocations> StateDir::LoadAllocations() const {
  const fs::path file = fs::path(path_) / "allocations.json";
  std::ifstream in(file);
  if (!in) return Allocations{};
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || j.value("version", 0) != 1) return Fail(file.string() + ": not a berth allocations file");
  auto out = AllocationsFromJson(j.value("interfaces", json::object()));
  if (!out) return Fail(file.string() + ": " + out.error().message);
  return out;
}

Status<> StateDir::SaveAllocations(const Allocations& allocations) const {
  json j{{"version", 1}, {"interfaces", AllocationsToJson(allocations)}};
  return WriteFileAtomically(fs::path(path_) / "allocations.json", j.dump(2) + "\n");
}

Result<std::vector<std::string>> StateDir::LoadInventory() const {
  const fs::path file = fs::path(path_) / "inventory.json";
  std::ifstream in(file);
  if (!in) return std::vector<std::string>{};
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || j.value("version", 0) != 1 || !j.contains("applied") || !j["applied"].is_array())
    return Fail(file.string() + ": not a berth inventory file");
  std::vector<std::string> ids;
  for (const auto& id : j["applied"])
    if (id.is_string()) ids.push_back(id.get<std::string>());
  return ids;
}

Status<> StateDir::SaveInventory(const std::vector<std::string>& ids) const {
  json j{{"version", 1}, {"applied", ids}};
  return WriteFileAtomically(fs::path(path_) / "inventory.json", j.dump(2) + "\n");
}

Result<ApplyLock> ApplyLock::Acquire(const std::string& dir, const std::string& holder_description,
                                     std::chrono::milliseconds wait) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail("create lock directory " + dir + ": " + ec.message());
  const std::string path = (fs::path(dir) / "apply.lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(Errno("open " + path));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::ostringstream holder;
    holder << std::ifstream(path).rdbuf();
    ::close(fd);
    std::string who = holder.str();
    while (!who.empty() && who.back() == '\n') who.pop_back();
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
