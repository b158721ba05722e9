// berth show: the observed state — owned objects, what plans must respect, and per VM what a launcher needs —
// as YAML (default) or JSON. The JSON form can be fed back with `berth plan --observed FILE`.
#include <iostream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/options.h"
#include "cli/session.h"
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
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

  reconciler::ObservedState owned;
  owned.facts = observed->facts;
  for (const auto& r : observed->resources)
    if (r.ownership != reconciler::Ownership::kUnowned) owned.resources.push_back(r);

  // The node is recorded so that `berth plan --observed` of this file keeps this node's documents.
  nlohmann::json out{{"platform", o.platform}, {"node", o.node.value_or("")}, {"observed", reconciler::ObservedToJson(*observed)}};
  if (s.backend()) s.backend()->describe(*observed, *persisted, o, out);  // "vms" on Linux, "jails" on FreeBSD
  if (o.output == "json") {
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  out["observed"] = reconciler::ObservedToJson(owned);  // YAML is for people: owned objects and facts only
  // People read the per-workload summary first; the observed records, long, come last.
  YAML::Emitter emitter;
  emitter << YAML::BeginMap;
  for (const char* key : {"platform", "node", "vms", "jails", "kvm"})
    if (out.contains(key)) {
      emitter << YAML::Key << key << YAML::Value;
      EmitYaml(emitter, out[key]);
    }
  for (const auto& [key, value] : out.items())
    if (key != "platform" && key != "node" && key != "vms" && key != "jails" && key != "kvm") {
      emitter << YAML::Key << key << YAML::Value;
      EmitYaml(emitter, value);
    }
  emitter << YAML::EndMap;
  std::cout << emitter.c_str() << "\n";
  return kExitOk;
}

}  // namespace berth::cli
