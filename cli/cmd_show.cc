// berth show: the observed state — owned objects, what plans must respect, and per VM what a launcher needs —
// as YAML (default) or JSON. The JSON form can be fed back with `berth plan --observed FILE`.
#include <iostream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/options.h"
#include "cli/session.h"
#include "drivers/freebsd/platform/freebsd_show.h"
#include "drivers/linux/platform/linux_show.h"
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

  nlohmann::json vms = nlohmann::json::object();
  for (const auto& vm : reconciler::linux_res::DescribeVms(*observed, *persisted, o.netns_dir)) {
    vms[vm.vm] = {{"netns", vm.netns_path}, {"tap", vm.tap},         {"mac", vm.mac},       {"address", vm.address},
                  {"gateway", vm.gateway},  {"bridge", vm.bridge},   {"dns", vm.dns}};
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
