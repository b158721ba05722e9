// Sysctls under /proc/sys, written from a thread inside the resource's namespace (net.* values are per netns
// and /proc/sys/net resolves against the opening thread's namespace). Settings are never turned off.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "drivers/linux/apply.h"
#include "drivers/linux/sysctl.h"
#include "drivers/linux/sysctl_record.h"
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

OsStatus WriteValue(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return OsFailErrno("open " + path);
  UniqueFd guard(fd);
  std::string text = value + "\n";
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return OsFailErrno("write " + path);
  return Ok{};
}

}  // namespace

std::string SysctlPath(const std::string& proc_sys, const std::string& name) {
  // An interface's own setting keeps the dots of its name ("br.10" is one directory).
  const std::string bridge = reconciler::linux_res::RouteLocalnetBridge(name);
  if (!bridge.empty()) return proc_sys + "/net/ipv4/conf/" + bridge + "/route_localnet";
  std::string rel = name;
  for (char& c : rel) {
    if (c == '.') c = '/';
  }
  return proc_sys + "/" + rel;
}

Result<std::string, OsError> ReadSysctl(const std::string& proc_sys, const std::string& name) {
  const std::string path = SysctlPath(proc_sys, name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsFailErrno("open " + path);
  UniqueFd guard(fd);
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) return OsFailErrno("read " + path);
  std::string v(buf, static_cast<size_t>(n));
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

void ObserveSysctls(const std::string& proc_sys, const std::vector<reconciler::Resource>& host_links,
                    std::vector<reconciler::Resource>& out) {
  auto add = [&](const std::string& name, const std::string& value, reconciler::Ownership ownership) {
    reconciler::Resource r;
    r.key = reconciler::ResourceKey{lr::kSysctl, "", name};
    r.attrs[lr::kValue] = value;
    r.ownership = ownership;
    out.push_back(std::move(r));
  };
  if (auto fwd = ReadSysctl(proc_sys, "net.ipv4.ip_forward")) add("net.ipv4.ip_forward", *fwd, reconciler::Ownership::kOwned);
  // A bridge's route_localnet (port forwards with localhost: true): berth's on berth's bridge, so it is turned
  // off when no forward needs it.
  for (const auto& link : host_links) {
    if (link.AttrOr(lr::kType) != "bridge") continue;
    const std::string name = lr::RouteLocalnetSysctl(link.key.name);
    if (auto value = ReadSysctl(proc_sys, name); value && *value != "0") add(name, *value, link.ownership);
  }
}

void ApplySysctls(Env& env, std::vector<Job*>& jobs) {
  for (Job* job : jobs) {
    const std::string& name = job->key().name;
    const bool localnet = !reconciler::linux_res::RouteLocalnetBridge(name).empty();
    // A setting is turned on, never off; a bridge's route_localnet is turned off when no forward needs it.
    if (job->op() == reconciler::Op::kDelete && !localnet) continue;
    const std::string off = "0";
    const std::string* value = job->op() == reconciler::Op::kDelete ? &off : job->res().Attr(lr::kValue);
    if (!value || name.find("..") != std::string::npos || name.find('/') != std::string::npos) {
      job->Fail(reconciler::DriverError::Kind::kInvalid, "needs a value and a dotted name");
      continue;
    }
    const std::string path = SysctlPath(env.options.proc_sys, name);
    OsStatus st = Ok{};
    if (job->key().scope.empty()) {
      // The host's value before berth's first change is kept, so that destroy can put it back.
      if (env.options.record_sysctl_originals) {
        auto recorded = RecordSysctlOriginal(env.options.state_dir, env.options.proc_sys, name, *value);
        if (!recorded) {
          job->Fail(reconciler::DriverError::Kind::kInvalid, recorded.error().message);
          continue;
        }
      }
      st = WriteValue(path, *value);
    } else {
      auto ns = env.netns.Open(job->key().scope);
      if (!ns) {
        job->Fail(ns.error());
        continue;
      }
      auto ran = RunInNetns(ns->get(), [&] { st = WriteValue(path, *value); });
      if (!ran) st = ran;
    }
    if (!st) job->Fail(st.error());
  }
}

}  // namespace berth::drivers::lnx
