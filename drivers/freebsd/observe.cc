// ObserveHost. Interfaces are matched to berth's objects by description tags, which survive vnet moves and
// the return from a dying jail (facts A1/A2): an epair's host end (end=a) finds its other end (end=b,
// pair=<host end>) on the host, under any name, or inside one of berth's live jails.
#include "drivers/freebsd/observe.h"

#include <algorithm>
#include <map>
#include <set>

#include "drivers/freebsd/argv_check.h"
#include "drivers/freebsd/observe_build.h"
#include "drivers/freebsd/parse.h"
#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::drivers::freebsd {
namespace {

using namespace reconciler::freebsd_res;  // NOLINT
using reconciler::DriverError;

DriverError ObserveError(const std::vector<std::string>& argv, const CommandResult& r) {
  return DriverError{DriverError::Kind::kOther, "observe", {}, 0, FormatArgv(argv) + ": " + r.err};
}

/// A jail's interfaces and default route through the host's ifconfig -j and route -j (never the jail's own
/// binaries: an empty jail has none, and a jail's root controls them), and its resolv.conf read from the host
/// under the jail's path once realpath showed no link leads out of it. Empty when the jail vanished meanwhile.
JailInside LookInside(CommandRunner& runner, const JailInfo& jail) {
  JailInside inside;
  if (!IsSafeJailName(jail.name)) return inside;  // names from the host reach an argv only once checked
  if (jail.vnet == "new") {
    auto ifs = runner.Run({"ifconfig", "-j", jail.name, "-a"}, "");
    if (!ifs.ok()) return inside;  // dying or gone since jls: berth sees it next time
    inside.interfaces = ParseIfconfig(ifs.out);
    auto route = runner.Run({"route", "-j", jail.name, "-n", "get", "default"}, "");
    if (route.ok()) inside.route = ParseRouteGet(route.out);
    // The other routes: netstat(1) -j jail ("Perform the action inside the jail", netstat.1 SYNOPSIS `netstat
    // -r [-j jail] [-46nW] [-f address_family]`).
    auto table = runner.Run({"netstat", "-j", jail.name, "-rn", "-f", "inet"}, "");
    if (table.ok()) inside.routes = ParseNetstatRoutes(table.out);
  }
  inside.root = jail.path;
  const std::string file = inside.root + kResolvConf;
  if (IsSafePath(inside.root) && inside.root.find_first_not_of('/') != std::string::npos) {
    // realpath exits 1 when the file is missing but still prints what resolved (realpath(1)).
    auto real = runner.Run({"realpath", inside.root, inside.root + "/etc", file}, "");
    RealpathCheck check = ParseRealpath(real.out, kResolvConf);
    if (check.safe && !check.exists) {
      // A dangling link does not resolve either; tee would follow it out of the jail's tree.
      auto type = runner.Run({"stat", "-f", "%HT", file}, "");
      if (type.ok() && type.out.starts_with("Symbolic Link")) check = {false, false, "a dangling link"};
    }
    if (!check.safe) inside.resolv_unsafe = check.resolved;
    if (check.safe && check.exists)
      if (auto cat = runner.Run({"cat", file}, ""); cat.ok()) inside.resolv_conf = cat.out;
  }
  inside.seen = true;
  return inside;
}

std::string Sysctl(CommandRunner& runner, const std::string& name) {
  auto r = runner.Run({"sysctl", "-n", name}, "");
  if (!r.ok()) return "";
  std::string v = r.out;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

void ObservePf(CommandRunner& runner, HostView& view, std::vector<std::string>& missing) {
  auto main = runner.Run({"pfctl", "-s", "nat"}, "");
  if (!main.ok()) {
    missing.push_back(kMissingPf);
    return;
  }
  // Loaded is not enabled: with pf disabled every listing still works and NAT does nothing (pfctl(8) -e).
  if (auto info = runner.Run({"pfctl", "-s", "info"}, ""); !info.ok() || !ParsePfEnabled(info.out))
    missing.push_back(kMissingPfEnabled);
  PfHooks hooks = ParsePfHooks(main.out);
  if (!hooks.nat) missing.push_back(kMissingPfNatHook);
  if (!hooks.rdr) missing.push_back(kMissingPfRdrHook);
  auto anchors = runner.Run({"pfctl", "-a", std::string(kPfAnchor), "-s", "Anchors"}, "");
  if (!anchors.ok()) return;
  for (const auto& anchor : ParsePfAnchors(anchors.out)) {
    if (!IsSafeAnchor(anchor)) continue;
    auto rules = runner.Run({"pfctl", "-a", anchor, "-s", "nat"}, "");
    if (rules.ok()) view.pf_anchors[anchor] = ParsePfRules(rules.out);
  }
}

}  // namespace

Result<reconciler::ObservedState, DriverError> ObserveHost(CommandRunner& runner, bool host_facts) {
  HostView view;
  std::vector<std::string> missing;

  const std::vector<std::string> ifconfig{"ifconfig", "-a"};
  auto ifs = runner.Run(ifconfig, "");
  if (!ifs.ok()) return MakeUnexpected(ObserveError(ifconfig, ifs));
  view.interfaces = ParseIfconfig(ifs.out);

  // meta carries berth's mark on its jails; a jls that does not know it fails on the parameter.
  std::vector<std::string> jls{"jls", "--libxo", "json", "-d", "jid",  "name", "path",
                               "vnet", "dying",  "host.hostname", "ip4", "ip4.addr", "meta"};
  auto jails = runner.Run(jls, "");
  if (!jails.ok() && jails.err.find("meta") != std::string::npos) {
    missing.push_back(kMissingJailMeta);
    jls.pop_back();
    jails = runner.Run(jls, "");
  }
  if (!jails.ok()) return MakeUnexpected(ObserveError(jls, jails));
  auto parsed = ParseJls(jails.out);
  if (!parsed) return MakeUnexpected(DriverError{DriverError::Kind::kOther, "observe", {}, 0, parsed.error().message});
  view.jails = std::move(*parsed);
  for (const auto& jail : view.jails)
    if (!jail.dying && IsBerthJail(jail)) view.inside[jail.name] = LookInside(runner, jail);

  ObservePf(runner, view, missing);
  auto ipfw = runner.Run({"ipfw", "-S", "list"}, "");  // -S: each rule's set, which is what makes it berth's
  if (ipfw.ok()) {
    view.ipfw = ParseIpfwList(ipfw.out);
    for (auto& fact : IpfwFacts(view.ipfw)) missing.push_back(std::move(fact));
    auto pipes = runner.Run({"ipfw", "-v", "pipe", "show"}, "");  // -v: bursts in bytes, not humanized
    if (pipes.ok()) view.pipes = ParsePipeShow(pipes.out);
    else missing.push_back(kMissingDummynet);
  } else {
    missing.push_back(kMissingIpfw);
  }
  view.forwarding = Sysctl(runner, kForwardingSysctl);

  reconciler::ObservedState observed = BuildObserved(view);
  if (host_facts) {
    if (Sysctl(runner, "kern.features.vimage") != "1") missing.push_back(kMissingVimage);
    if (Sysctl(runner, "net.inet.ip.fw.one_pass") == "1") missing.push_back(kIpfwOnePass);
    for (const char* name : kSecureVnetSysctls)
      if (Sysctl(runner, name) != "1") missing.push_back(MissingSysctl(name));
    std::sort(missing.begin(), missing.end());
    observed.facts.missing_features = std::move(missing);
  }
  return observed;
}

}  // namespace berth::drivers::freebsd
