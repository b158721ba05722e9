// Kernel feature detection without loading modules. A kernel without module support cannot load anything,
// so there we try the real thing in a throwaway namespace; a modular kernel is asked through /sys/module and
// the module lists instead (a listed module loads on first use, as `ip` would load it).
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <thread>

#include "drivers/linux/nft.h"
#include "drivers/linux/observe.h"
#include "drivers/linux/tc_redirect.h"

namespace berth::drivers::lnx {
namespace {

struct Feature {
  const char* name;    // as HostFacts reports it
  const char* module;  // the module providing it
};
constexpr Feature kFeatures[] = {{"tun", "tun"},          {"veth", "veth"},       {"bridge", "bridge"},
                                 {"nf_tables", "nf_tables"}, {"sch_ingress", "sch_ingress"},
                                 {"cls_u32", "cls_u32"},  {"act_mirred", "act_mirred"},
                                 {"nft_limit", "nft_limit"}};

bool FileContains(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

bool ModuleAvailable(const std::string& module) {
  struct stat st {};
  if (::stat(("/sys/module/" + module).c_str(), &st) == 0) return true;
  utsname u{};
  if (::uname(&u) != 0) return true;  // cannot tell: do not claim it is missing
  const std::string dir = std::string("/lib/modules/") + u.release;
  const std::string file = "/" + module + ".ko";
  return FileContains(dir + "/modules.builtin", file) || FileContains(dir + "/modules.dep", file);
}

/// Tries to create `kind` links (and the ingress redirect) in a namespace that dies with the probe thread.
std::vector<std::string> ProbeInThrowawayNetns() {
  std::vector<std::string> missing;
  std::thread probe([&] {
    if (::unshare(CLONE_NEWNET) != 0) return;  // cannot probe: claim nothing
    auto sock = NlSocket::Open();
    if (!sock) return;
    auto refused = [](const OsStatus& st) {
      return !st && (st.error().err == EOPNOTSUPP || st.error().err == ENOENT || st.error().err == EAFNOSUPPORT);
    };
    for (const char* kind : {"bridge", "veth"}) {
      ifinfomsg ifi{};
      NlMsg m = NewRequest(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
      nl_msg* p = m.get();
      PutStr(p, IFLA_IFNAME, std::string("probe-") + kind);
      nlattr* info = nla_nest_start(p, IFLA_LINKINFO);
      PutStr(p, IFLA_INFO_KIND, kind);
      nla_nest_end(p, info);
      if (refused((*sock)->Call(std::move(m)))) missing.push_back(kind);
    }
    // The redirect itself, on lo (ifindex 1 in a fresh namespace) back to lo.
    if (refused((*sock)->Call(IngressQdiscRequest(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, 1)))) {
      missing.push_back("sch_ingress");
    } else if (auto st = (*sock)->Call(RedirectFilterRequest(1, 1)); refused(st)) {
      // The kernel names neither; both are needed, so both are reported.
      missing.push_back("cls_u32");
      missing.push_back("act_mirred");
    }
  });
  probe.join();
  return missing;
}

}  // namespace

std::vector<std::string> MissingFeatures(Env& env) {
  std::call_once(env.features_once, [&] {
    std::vector<std::string> missing;
    struct stat st {};
    const bool modular = ::stat("/proc/modules", &st) == 0;
    if (modular) {
      for (const auto& f : kFeatures) {
        if (!ModuleAvailable(f.module)) missing.push_back(f.name);
      }
    } else {
      if (::stat("/dev/net/tun", &st) != 0 || !S_ISCHR(st.st_mode)) missing.push_back("tun");
      for (auto& m : ProbeInThrowawayNetns()) missing.push_back(m);
      auto tables = env.nft->ForeignDropChains();  // any read of the ruleset tells whether nf_tables exists
      if (!tables && (tables.error().err == EOPNOTSUPP || tables.error().err == EPROTONOSUPPORT)) {
        missing.push_back("nf_tables");
      }
    }
    env.missing_features = std::move(missing);
  });
  return env.missing_features;
}

}  // namespace berth::drivers::lnx
