// PublishLaunchRecords: which workloads converged (a per-workload verification of the plan against the host as
// re-observed), then their records written atomically and every other record removed.
#include "reconciler/launch_records.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "reconciler/private_files.h"

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

/// Whether `seen` is what `want` asks for, as Verify judges it.
bool Matches(const Platform& platform, const Resource& want, const Resource* seen) {
  if (!seen) return false;
  if (seen->ownership != Ownership::kOwned && !platform.IsSetting(want.key)) return false;
  for (const auto& [field, value] : want.attrs) {
    if (platform.PolicyOf(want.key.kind, field) == FieldPolicy::kIgnore) continue;
    const std::string* have = seen->Attr(field);
    if (!have || *have != value) return false;
  }
  return true;
}

/// Makes `dir` (and missing parents) 0755; an existing one must be a real directory of berth's uid that only it
/// may write: launchers trust what they read there.
Status<> EnsureSharedDir(const std::string& dir) {
  if (dir.empty() || dir[0] != '/') return Fail("the result directory must be an absolute path, not \"" + dir + "\"");
  fs::path partial;
  for (const auto& part : fs::path(dir).lexically_normal()) {
    partial /= part;
    if (partial == partial.root_path() || part.empty()) continue;
    if (::mkdir(partial.c_str(), 0755) == 0) {
      if (::chmod(partial.c_str(), 0755) != 0) return Fail(Errno("chmod " + partial.string()));
    } else if (errno != EEXIST) {
      return Fail(Errno("create directory " + partial.string()));
    }
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return Fail(Errno("stat " + dir));
  if (S_ISLNK(st.st_mode)) return Fail("refusing the result directory " + dir + ": it is a symlink");
  if (!S_ISDIR(st.st_mode)) return Fail("refusing the result directory " + dir + ": not a directory");
  if (st.st_uid != ::geteuid())
    return Fail("refusing the result directory " + dir + ": it belongs to uid " + std::to_string(st.st_uid));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return Fail("refusing the result directory " + dir + ": it is writable by others than its owner");
  return Ok{};
}

/// The record file's current content, or nullopt when it is missing or not a regular file of ours.
std::optional<std::string> Current(const std::string& path) {
  bool missing = false;
  auto text = ReadPrivateFile(path, missing);
  if (!text || missing) return std::nullopt;
  return *text;
}

}  // namespace

std::set<std::string> ConvergedWorkloads(const Platform& platform, const Plan& plan, const ObservedState& after) {
  std::set<std::string> broken;
  for (const Change& c : plan.changes.changes) {
    switch (c.action) {
      case ChangeAction::kNoOp:     // a held-back launch: the network itself is as wanted
      case ChangeAction::kCollect:  // a leak belongs to no current workload's network
        break;
      case ChangeAction::kConflict:
        broken.insert(c.origin());
        break;
      case ChangeAction::kDelete:
        if (const Resource* seen = after.Find(c.key()); seen && seen->ownership != Ownership::kUnowned)
          broken.insert(c.origin());
        break;
      case ChangeAction::kCreate:
      case ChangeAction::kUpdate:
      case ChangeAction::kReplace:
        if (!c.after || !Matches(platform, *c.after, after.Find(c.key()))) broken.insert(c.origin());
        break;
    }
  }
  for (const Conflict& conflict : plan.changes.conflicts) broken.insert(conflict.provenance.origin());
  std::set<std::string> converged;
  for (const std::string& id : plan.manifest_ids)
    if (!broken.count(id)) converged.insert(id);
  return converged;
}

Status<> PublishLaunchRecords(const Platform& platform, const Plan& plan, const ObservedState* after,
                              const LaunchRecordOptions& options) {
  if (auto ok = EnsureSharedDir(options.dir); !ok) return ok;
  std::set<std::string> converged;
  if (after) {
    converged = ConvergedWorkloads(platform, plan, *after);
  } else {
    // Nothing can be verified: only workloads the plan did not touch keep their records.
    std::set<std::string> touched;
    for (const Change& c : plan.changes.changes)
      if (c.action != ChangeAction::kNoOp) touched.insert(c.origin());
    for (const std::string& id : plan.manifest_ids)
      if (!touched.count(id)) converged.insert(id);
  }
  std::map<std::string, std::string> keep;  // file name -> content
  for (LaunchRecord& r : platform.LaunchRecords(after ? *after : plan.basis, plan.allocations, options.scope_dir))
    if (converged.count(r.workload)) keep[r.name + ".json"] = std::move(r.json);

  std::string errors;
  for (const auto& [file, json] : keep) {
    const std::string path = options.dir + "/" + file;
    if (Current(path) == json) continue;
    if (auto written = WriteFileAtomically(path, json, 0644); !written) errors += written.error().message + "; ";
  }
  DIR* d = ::opendir(options.dir.c_str());
  if (!d) return Fail(Errno("read directory " + options.dir));
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    // Files and symlinks only: a directory someone made there is theirs, not a record.
    if (name.size() > 5 && name.ends_with(".json") && !keep.count(name) && e->d_type != DT_DIR) stale.push_back(name);
  }
  ::closedir(d);
  // unlink removes a planted symlink itself, never its target.
  for (const std::string& name : stale)
    if (::unlink((options.dir + "/" + name).c_str()) != 0 && errno != ENOENT && errno != EISDIR)
      errors += Errno("remove " + options.dir + "/" + name) + "; ";
  if (!errors.empty()) return Fail("result files: " + errors.substr(0, errors.size() - 2));
  return Ok{};
}

}  // namespace berth::reconciler
