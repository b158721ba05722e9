// Sysctl originals: one small JSON record in the state directory, written through the private-file helpers
// (0600, O_NOFOLLOW, atomic rename) like the allocations and the inventory.
#include "drivers/linux/sysctl_record.h"
#include "drivers/linux/platform/linux_forwards.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "drivers/linux/sysctl.h"
#include "reconciler/private_files.h"

namespace berth::drivers::lnx {
namespace {

constexpr const char* kRecordFile = "sysctl-originals.json";

std::mutex& RecordMutex() {
  static std::mutex mutex;
  return mutex;
}

std::string RecordPath(const std::string& state_dir) { return (std::filesystem::path(state_dir) / kRecordFile).string(); }

// The recorded originals; a missing file is none. A corrupt one is an error naming it.
Result<std::map<std::string, std::string>> Load(const std::string& path) {
  bool missing = false;
  auto text = reconciler::ReadPrivateFile(path, missing);
  if (!text) return Unexpected<Error>{text.error()};
  std::map<std::string, std::string> originals;
  if (missing) return originals;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 || !j.contains("sysctls") ||
      !j["sysctls"].is_object())
    return Fail(path + ": not a berth sysctl record");
  for (const auto& [name, value] : j["sysctls"].items()) {
    if (!value.is_string()) return Fail(path + ": the value of " + name + " is not a string");
    originals[name] = value.get<std::string>();
  }
  return originals;
}

// A recorded name is written back under /proc/sys: only dotted names of letters, digits, '_' and '-'.
bool SafeName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name.front() == '.' || name.find("..") != std::string::npos) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

Status<> WriteSysctl(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Fail("cannot open " + path + " to restore it");
  const std::string text = value + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) return Fail("cannot write " + path + " to restore it");
  return Ok{};
}

}  // namespace

Status<> RecordSysctlOriginal(const std::string& state_dir, const std::string& proc_sys, const std::string& name,
                              const std::string& desired) {
  std::lock_guard lock(RecordMutex());
  auto current = ReadSysctl(proc_sys, name);
  if (!current || *current == desired) return Ok{};  // unreadable: the write reports it; equal: not berth's change
  const std::string path = RecordPath(state_dir);
  auto originals = Load(path);
  if (!originals) return Unexpected<Error>{originals.error()};
  if (originals->count(name)) return Ok{};  // the first value berth found is the one to restore
  (*originals)[name] = *current;
  if (auto st = reconciler::EnsurePrivateDir(state_dir); !st) return st;
  nlohmann::json j{{"version", 1}, {"sysctls", *originals}};
  return reconciler::WritePrivateFileAtomically(path, j.dump(2) + "\n");
}

Result<std::vector<std::string>> RestoreSysctlOriginals(const std::string& state_dir, const std::string& proc_sys) {
  std::lock_guard lock(RecordMutex());
  const std::string path = RecordPath(state_dir);
  auto originals = Load(path);
  if (!originals) return Unexpected<Error>{originals.error()};
  std::vector<std::string> restored;
  for (const auto& [name, value] : *originals) {
    if (!SafeName(name) || value.size() > 64 || value.find('\n') != std::string::npos)
      return Fail(path + ": refusing to restore " + name + " (not a sysctl name and value berth records)");
    // A bridge's route_localnet goes with the bridge: destroy removed it, so there is nothing to put back.
    const std::string bridge = reconciler::linux_res::RouteLocalnetBridge(name);
    std::error_code gone;
    if (!bridge.empty() && !std::filesystem::exists(proc_sys + "/net/ipv4/conf/" + bridge, gone)) {
      restored.push_back(name + " (the interface is gone)");
      continue;
    }
    if (auto st = WriteSysctl(SysctlPath(proc_sys, name), value); !st) return Unexpected<Error>{st.error()};
    restored.push_back(name + " = " + value);
  }
  std::error_code ignored;
  if (!originals->empty()) std::filesystem::remove(path, ignored);  // restored: the next first change records afresh
  return restored;
}

}  // namespace berth::drivers::lnx
