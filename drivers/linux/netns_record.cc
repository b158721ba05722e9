// The netns record: {"version": 1, "created": ["berth-vm1", ...]}, sorted.
#include "drivers/linux/netns_record.h"

#include <mutex>

#include <nlohmann/json.hpp>

#include "reconciler/private_files.h"

namespace berth::drivers::lnx {
namespace {

std::mutex record_mu;  // creations and deletions of one batch may update it from several threads

std::string PathIn(const std::string& state_dir) { return state_dir + "/" + kNetnsRecordFile; }

}  // namespace

Result<std::optional<std::set<std::string>>> LoadNetnsRecord(const std::string& state_dir) {
  const std::string path = PathIn(state_dir);
  bool missing = false;
  auto text = reconciler::ReadPrivateFile(path, missing);
  if (!text) return Fail(text.error().message);
  if (missing) return std::optional<std::set<std::string>>();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  const bool ok = j.is_object() && j.value("version", nlohmann::json()) == 1 && j.contains("created") &&
                  j["created"].is_array();
  if (!ok) return Fail(path + ": not berth's netns record (want {\"version\": 1, \"created\": [NAME...]})");
  std::set<std::string> names;
  for (const auto& n : j["created"]) {
    if (!n.is_string()) return Fail(path + ": \"created\" must list names");
    names.insert(n.get<std::string>());
  }
  return std::optional<std::set<std::string>>(std::move(names));
}

Status<> UpdateNetnsRecord(const std::string& state_dir, const std::vector<std::string>& add,
                           const std::vector<std::string>& remove, const std::vector<std::string>& present) {
  std::lock_guard lock(record_mu);
  auto loaded = LoadNetnsRecord(state_dir);
  if (!loaded) return Unexpected<Error>{loaded.error()};
  const std::set<std::string> here(present.begin(), present.end());
  std::set<std::string> names = loaded->value_or(here);
  std::erase_if(names, [&](const std::string& n) { return !here.count(n); });
  for (const auto& n : remove) names.erase(n);
  names.insert(add.begin(), add.end());
  if (loaded->has_value() && names == **loaded) return Ok{};
  if (auto st = reconciler::EnsurePrivateDir(state_dir); !st) return st;
  nlohmann::json j{{"version", 1}, {"created", names}};
  return reconciler::WritePrivateFileAtomically(PathIn(state_dir), j.dump(1) + "\n");
}

}  // namespace berth::drivers::lnx
