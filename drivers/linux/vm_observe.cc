// Observing hypervisor processes. The record (<state_dir>/vms/<vm>/record.json, written right after exec)
// says what was launched; /proc says whether it still runs: same start time and the BERTH_OWNER tag. Tagged
// processes in berth's namespaces without a valid record (a crash between exec and the record) are reported
// as marked, so the plan replaces or collects them.
#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "drivers/linux/vm.h"
#include "drivers/linux/vm_process.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;
using reconciler::Ownership;
using reconciler::Resource;

struct Record {
  std::string vm;
  std::string owner;
  pid_t pid = 0;
  std::string started;
  std::string accelerator;  // "kvm" | "tcg"; "" in records older than the KVM probe
  reconciler::Attrs attrs;
};

std::vector<Record> ReadRecords(const std::string& vms_dir) {
  std::vector<Record> out;
  DIR* dir = ::opendir(vms_dir.c_str());
  if (!dir) return out;
  while (dirent* d = ::readdir(dir)) {
    const std::string name = d->d_name;
    if (name == "." || name == "..") continue;
    std::ifstream in(vms_dir + "/" + name + "/record.json");
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!in || j.is_discarded() || !j.is_object()) continue;  // torn or foreign: the tag scan still finds the process
    Record r;
    r.vm = name;
    r.owner = j.value("owner", "VM/" + name);
    r.pid = j.value("pid", 0);
    r.started = j.value("started", "");
    r.attrs = j.value("attrs", reconciler::Attrs{});
    if (auto a = j.find("accelerator"); a != j.end() && a->is_string()) r.accelerator = a->get<std::string>();
    out.push_back(std::move(r));
  }
  ::closedir(dir);
  return out;
}

bool Verified(const Record& r) {
  return r.pid > 0 && !r.started.empty() && ProcessStartTime(r.pid) == r.started &&
         ProcessTag(r.pid, lr::kOwnerEnv) == r.owner;
}

}  // namespace

void ObserveVms(Env& env, const std::vector<std::string>& netns_names, std::vector<Resource>& out) {
  std::set<ino_t> inodes;
  for (const auto& name : netns_names) {
    struct stat st {};
    if (::stat(env.netns.PathOf(name).c_str(), &st) == 0) inodes.insert(st.st_ino);
  }
  auto tagged = TaggedProcesses(inodes, lr::kOwnerEnv);

  std::set<std::string> seen;
  for (const Record& rec : ReadRecords(env.options.state_dir + "/vms")) {
    Resource r;
    r.key = {lr::kVmProc, "", rec.vm};
    r.attrs = rec.attrs;
    r.owner = rec.owner;
    r.ownership = Ownership::kOwned;
    if (Verified(rec)) {
      r.attrs[lr::kRunning] = lr::kTrue;
      r.attrs[lr::kPid] = std::to_string(rec.pid);
      r.attrs[lr::kStarted] = rec.started;
      if (!rec.accelerator.empty()) r.attrs[lr::kAccelerator] = rec.accelerator;
    } else {
      r.attrs[lr::kRunning] = lr::kFalse;  // died: drift the plan repairs by starting it again
      r.attrs.erase(lr::kPid);
      r.attrs.erase(lr::kStarted);
      // A tagged process the record does not describe takes precedence: it must be stopped first.
      if (auto it = tagged.find(rec.owner); it != tagged.end() && rec.owner.starts_with("VM/")) continue;
    }
    seen.insert(rec.owner);
    out.push_back(std::move(r));
  }
  for (const auto& [owner, pids] : tagged) {
    if (seen.count(owner) || !owner.starts_with("VM/")) continue;
    Resource r;
    r.key = {lr::kVmProc, "", owner.substr(3)};
    r.attrs = {{lr::kRunning, lr::kTrue},
               {lr::kPid, std::to_string(pids.front())},
               {lr::kStarted, ProcessStartTime(pids.front())}};
    r.owner = owner;
    r.ownership = Ownership::kMarked;
    out.push_back(std::move(r));
  }
}

}  // namespace berth::drivers::lnx
