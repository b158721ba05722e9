// berth show: the observed state — owned objects, what plans must respect, and per VM what a launcher needs —
// as YAML (default) or JSON. The JSON form can be fed back with `berth plan --observed FILE`.
#include <iostream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/options.h"
#include "cli/session.h"
#include "reconciler/freebsd_show.h"
#include "reconciler/linux_policy_reach.h"
#include "reconciler/linux_show.h"
#ifdef BERTH_HAVE_LINUX_DRIVER
#include "drivers/linux/policy_drops.h"
#endif
#include "reconciler/plan_json.h"

namespace berth::cli {
namespace {

void EmitYaml(YAML::Emitter& out, const nlohmann::json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      out << YAML::Key << k << YAML::Value;
      EmitYaml(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& v : j) EmitYaml(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s.find('\n') != std::string::npos) out << YAML::Literal << s;
    else out << YAML::DoubleQuoted << s;
  } else if (j.is_null()) {
    out << YAML::Null;
  } else {
    out << j.dump();
  }
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
  nlohmann::json counts = {{"spoof", 0}, {"host", 0}, {"peers", 0}, {"egress", 0}};
  if (auto it = drops.find(vm); it != drops.end())
    for (const auto& [reason, n] : it->second) counts[reason] = n;
  out["drops"] = counts;
}

}  // namespace

int RunShow(const Options& o) {
  Session s(o);
  auto persisted = s.state_dir().LoadAllocations();
  if (!persisted) {
    std::cerr << "berth: " << persisted.error().message << "\n";
    return kExitError;
  }
  auto observed = s.Observe();
  if (!observed) return kExitError;

  PolicyDropsView drops;
#ifdef BERTH_HAVE_LINUX_DRIVER
  if (o.platform == "linux" && o.driver.empty() && !o.observed_file)
    if (auto read = drivers::linux::ReadPolicyDrops()) drops = std::move(*read);
#endif
  nlohmann::json vms = nlohmann::json::object();
  for (const auto& vm : reconciler::linux_res::DescribeVms(*observed, *persisted, o.netns_dir)) {
    vms[vm.vm] = {{"netns", vm.netns_path}, {"tap", vm.tap},         {"mac", vm.mac},       {"address", vm.address},
                  {"gateway", vm.gateway},  {"bridge", vm.bridge},   {"dns", vm.dns}};
    AddPolicyView(*observed, vm.vm, drops, vms[vm.vm]);
    if (!vm.hypervisor.empty()) {
      vms[vm.vm]["hypervisor"] = vm.hypervisor;
      vms[vm.vm]["running"] = vm.running == "true";
      vms[vm.vm]["pid"] = vm.pid;
      vms[vm.vm]["console"] = o.state_dir + "/vms/" + vm.vm + "/console.log";
    }
  }
  reconciler::ObservedState owned;
  owned.facts = observed->facts;
  for (const auto& r : observed->resources)
    if (r.ownership != reconciler::Ownership::kUnowned) owned.resources.push_back(r);

  nlohmann::json out{{"platform", o.platform}, {"vms", vms}, {"observed", reconciler::ObservedToJson(*observed)}};
  if (o.platform == "freebsd") {  // jails instead of VMs
    nlohmann::json jails = nlohmann::json::object();
    for (const auto& j : reconciler::freebsd_res::DescribeJails(*observed)) {
      nlohmann::json interfaces = nlohmann::json::array();
      for (const auto& i : j.interfaces)
        interfaces.push_back({{"name", i.name}, {"address", i.address}, {"mac", i.mac}, {"host_end", i.host_end},
                              {"bridge", i.bridge}});
      jails[j.jail] = {{"path", j.path}, {"vnet", j.vnet},   {"interfaces", interfaces},
                       {"gateway", j.gateway}, {"ip4", j.ip4}, {"dns", j.dns}};
    }
    out.erase("vms");
    out["jails"] = jails;
  }
  if (o.output == "json") {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  out["observed"] = reconciler::ObservedToJson(owned);  // YAML is for people: owned objects and facts only
  YAML::Emitter emitter;
  EmitYaml(emitter, out);
  std::cout << emitter.c_str() << "\n";
  return kExitOk;
}

}  // namespace berth::cli
