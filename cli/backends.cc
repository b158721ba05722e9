// The backend table: the only place the CLI names a platform's parts.
#include "cli/backends.h"

#include <array>
#include <iostream>
#include <map>
#include <optional>

#include "drivers/freebsd/explain.h"
#include "drivers/freebsd/freebsd_driver.h"
#include "drivers/freebsd/platform/freebsd_platform.h"
#include "drivers/freebsd/platform/freebsd_show.h"
#include "drivers/freebsd/sim/sim_driver.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_policy_reach.h"
#include "drivers/linux/platform/linux_show.h"
#include "model/parse_bandwidth.h"

#ifdef BERTH_HAVE_LINUX_DRIVER
#include "drivers/linux/change_feed.h"
#include "drivers/linux/linux_driver.h"
#include "drivers/linux/policy_drops.h"
#include "drivers/linux/sysctl_record.h"
#endif

namespace berth::cli {
namespace {

#ifdef BERTH_HAVE_LINUX_DRIVER
drivers::lnx::LinuxDriverOptions LinuxOptions(const Options& o) {
  drivers::lnx::LinuxDriverOptions options;
  options.netns_dir = o.netns_dir;
  options.etc_dir = o.etc_netns_dir;
  options.state_dir = o.state_dir;
  options.record_netns = true;
  options.adopt_foreign_netns = o.adopt_foreign_netns;
  options.record_sysctl_originals = true;  // destroy restores what berth changed
  options.qemu_binary = o.qemu_binary;
  options.firecracker_binary = o.firecracker_binary;
  options.kvm_device = o.kvm_device;
  options.stop_timeout_ms = int(o.vm_stop_timeout * 1000);
  return options;
}
#endif

std::unique_ptr<reconciler::Driver> MakeLinuxHostDriver(const Options& o) {
#ifdef BERTH_HAVE_LINUX_DRIVER
  return drivers::lnx::MakeLinuxDriver(LinuxOptions(o));
#else
  (void)o;
  return nullptr;
#endif
}

Result<std::vector<std::string>> RestoreLinuxSysctls(const Options& o) {
#ifdef BERTH_HAVE_LINUX_DRIVER
  return drivers::lnx::RestoreSysctlOriginals(o.state_dir, LinuxOptions(o).proc_sys);
#else
  (void)o;
  return std::vector<std::string>{};
#endif
}

std::unique_ptr<reconciler::ChangeFeed> MakeLinuxFeed(const Options& o) {
#ifdef BERTH_HAVE_LINUX_DRIVER
  return drivers::lnx::MakeLinuxChangeFeed(LinuxOptions(o));
#else
  (void)o;
  return nullptr;
#endif
}

/// Whether VMs get KVM here, and why not: QEMU runs under TCG and Firecracker is held back without it.
nlohmann::json KvmSummary(const reconciler::HostFacts& facts) {
  auto it = facts.launch_blockers.find("kvm");
  if (it == facts.launch_blockers.end()) return {{"usable", true}, {"qemu_accelerator", "kvm"}};
  return {{"usable", false}, {"reason", it->second}, {"qemu_accelerator", "tcg"}};
}

using PolicyDropsView = std::map<std::string, std::map<std::string, uint64_t>>;

/// A VM's network reach as its rules enforce it (one line, and as data) and its policy drops by reason.
void AddPolicyView(const reconciler::ObservedState& observed, const std::string& vm, const PolicyDropsView& drops,
                   nlohmann::json& out) {
  const reconciler::Resource* group = observed.Find({"nft", "", "vm/" + vm});
  auto reach = group ? reconciler::linux_res::ReachFromGroup(*group) : std::nullopt;
  if (!reach) return;
  out["reach"] = model::DescribeReach(*reach);
  nlohmann::json host = nlohmann::json::array(), allow = nlohmann::json::array(), deny = nlohmann::json::array();
  host.push_back("icmp");
  if (reach->gateway_dns) host.push_back("udp/53"), host.push_back("tcp/53");
  for (const auto& r : reach->host)
    host.push_back(std::string(model::ToString(r.protocol)) + (r.port ? "/" + r.port->ToString() : ""));
  for (const auto& r : reach->egress_allow) allow.push_back(r.ToString());
  for (const auto& r : reach->egress_deny) deny.push_back(r.ToString());
  out["policy"] = {{"host", host},
                   {"peers", reach->peers == model::PeerMode::kAllow ? "allow" : "deny"},
                   {"egress", {{"default", reach->egress_default_allow ? "allow" : "deny"}, {"allow", allow}, {"deny", deny}}},
                   {"inbound", reach->inbound_any ? "any" : "replies"}};
  nlohmann::json counts = {{"spoof", 0}, {"host", 0}, {"peers", 0}, {"egress", 0}, {"rate", 0}};
  if (auto it = drops.find(vm); it != drops.end())
    for (const auto& [reason, n] : it->second) counts[reason] = n;
  out["drops"] = counts;
}

void DescribeLinux(const reconciler::ObservedState& observed, const reconciler::Allocations& allocations,
                   const Options& o, nlohmann::json& out) {
  PolicyDropsView drops;
#ifdef BERTH_HAVE_LINUX_DRIVER
  // Counters live in the kernel: only a live observation of this host has them.
  if (o.driver.empty() && !o.observed_file)
    if (auto read = drivers::lnx::ReadPolicyDrops()) drops = std::move(*read);
#endif
  nlohmann::json vms = nlohmann::json::object();
  for (const auto& vm : reconciler::linux_res::DescribeVms(observed, allocations, o.netns_dir)) {
    vms[vm.vm] = {{"netns", vm.netns_path}, {"tap", vm.tap},         {"mac", vm.mac},       {"address", vm.address},
                  {"gateway", vm.gateway},  {"bridge", vm.bridge},   {"dns", vm.dns}};
    vms[vm.vm]["routes"] = nlohmann::json::array();
    for (const auto& r : vm.routes) vms[vm.vm]["routes"].push_back({{"to", r.to.ToString()}, {"via", r.via.ToString()}});
    AddPolicyView(observed, vm.vm, drops, vms[vm.vm]);
    for (auto [name, limit] : {std::pair{"egress", &vm.egress}, std::pair{"ingress", &vm.ingress}})
      if (*limit) vms[vm.vm]["bandwidth"][name] = reconciler::linux_res::DescribeRateLimit(**limit);
    if (!vm.hypervisor.empty()) {
      vms[vm.vm]["hypervisor"] = vm.hypervisor;
      vms[vm.vm]["running"] = vm.running == "true";
      vms[vm.vm]["pid"] = vm.pid;
      if (!vm.accelerator.empty()) vms[vm.vm]["accelerator"] = vm.accelerator;
      vms[vm.vm]["console"] = o.state_dir + "/vms/" + vm.vm + "/console.log";
    }
  }
  out["vms"] = vms;
  out["kvm"] = KvmSummary(observed.facts);
}

std::unique_ptr<reconciler::Driver> MakeFreeBsdHostDriver(const Options& o) {
  if (o.driver == "sim-freebsd") {
    auto sim = drivers::freebsd::sim::MakeSimFreeBsdDriver(o.sim_state);
    if (!sim) {
      std::cerr << "berth: " << sim.error().message << "\n";
      return nullptr;
    }
    return std::move(*sim);
  }
#ifdef __FreeBSD__
  // The real host, through ifconfig, jail, jls, jexec, pfctl, ipfw and sysctl run by argv.
  if (o.driver.empty()) return drivers::freebsd::MakeFreeBsdDriver(drivers::freebsd::MakeProcessRunner());
#endif
  return nullptr;
}

std::unique_ptr<reconciler::ChangeFeed> NoFeed(const Options&) { return nullptr; }

void DescribeFreeBsd(const reconciler::ObservedState& observed, const reconciler::Allocations&, const Options&,
                     nlohmann::json& out) {
  nlohmann::json jails = nlohmann::json::object();
  for (const auto& j : reconciler::freebsd_res::DescribeJails(observed)) {
    nlohmann::json interfaces = nlohmann::json::array();
    for (const auto& i : j.interfaces)
      interfaces.push_back({{"name", i.name}, {"address", i.address}, {"mac", i.mac}, {"host_end", i.host_end},
                            {"bridge", i.bridge}});
    jails[j.jail] = {{"path", j.path}, {"vnet", j.vnet},   {"interfaces", interfaces},
                     {"gateway", j.gateway}, {"ip4", j.ip4}, {"dns", j.dns}};
    jails[j.jail]["routes"] = nlohmann::json::array();
    for (const auto& [to, via] : j.routes) jails[j.jail]["routes"].push_back({{"to", to}, {"via", via}});
    for (auto [name, bits] : {std::pair{"egress", &j.egress_bits}, std::pair{"ingress", &j.ingress_bits}})
      if (!bits->empty()) jails[j.jail]["bandwidth"][name] = *bits + "bit";
  }
  out["jails"] = jails;
}

// Every step of a FreeBSD plan carries the exact argv its driver will run, so the plan says precisely what
// happens; Linux speaks netlink and nftables in-process and has nothing to add.
constexpr std::array kBackends = {
    Backend{"linux", reconciler::MakeLinuxPlatform, MakeLinuxHostDriver, MakeLinuxFeed, nullptr, DescribeLinux,
            RestoreLinuxSysctls},
    Backend{"freebsd", reconciler::MakeFreeBsdPlatform, MakeFreeBsdHostDriver, NoFeed,
            drivers::freebsd::ExplainPlan, DescribeFreeBsd, nullptr},
};

}  // namespace

const Backend* FindBackend(std::string_view name) {
  for (const auto& b : kBackends)
    if (b.name == name) return &b;
  return nullptr;
}

std::string BackendNames() {
  std::string names;
  for (const auto& b : kBackends) names += (names.empty() ? "" : ", ") + std::string(b.name);
  return names;
}

}  // namespace berth::cli
