// JSON (de)serialisation with nlohmann-json. Keys are written in a fixed order by nlohmann's sorted objects,
// so equal plans give byte-identical text.
#include "reconciler/plan_json.h"

#include <map>

#include "model/parse_routes.h"

namespace berth::reconciler {
namespace {

using nlohmann::json;

json SpanToJson(const model::SourceSpan& s) {
  if (s.file.empty()) return nullptr;
  return json{{"file", s.file}, {"line", s.line}, {"column", s.column}};
}

model::SourceSpan SpanFromJson(const json& j) {
  if (!j.is_object()) return {};
  return {j.value("file", ""), j.value("line", 0), j.value("column", 0)};
}

json ProvenanceToJson(const Provenance& p) { return json{{"origin", p.origin()}, {"source", SpanToJson(p.span())}}; }
Provenance ProvenanceFromJson(const json& j) {
  if (!j.is_object()) return {};
  return {j.value("origin", ""), SpanFromJson(j.value("source", json()))};
}

const std::map<std::string, Ownership> kOwnerships = {
    {"unowned", Ownership::kUnowned}, {"marked", Ownership::kMarked}, {"owned", Ownership::kOwned}};
const std::map<std::string, Op> kOps = {{"create", Op::kCreate}, {"update", Op::kUpdate}, {"delete", Op::kDelete}};
const std::map<std::string, ChangeAction> kActions = {
    {"no-op", ChangeAction::kNoOp},       {"create", ChangeAction::kCreate},   {"update", ChangeAction::kUpdate},
    {"replace", ChangeAction::kReplace},  {"delete", ChangeAction::kDelete},   {"collect", ChangeAction::kCollect},
    {"conflict", ChangeAction::kConflict}};

template <typename T>
Result<T> Lookup(const std::map<std::string, T>& table, const json& j, const char* what) {
  std::string s = j.is_string() ? j.get<std::string>() : "";
  auto it = table.find(s);
  if (it == table.end()) return Fail(std::string("unknown ") + what + " \"" + s + "\"");
  return it->second;
}

json KeyToJson(const ResourceKey& k) { return json{{"kind", k.kind}, {"scope", k.scope}, {"name", k.name}}; }
ResourceKey KeyFromJson(const json& j) { return {j.value("kind", ""), j.value("scope", ""), j.value("name", "")}; }

}  // namespace

// A VM's extra routes as AllocationsToJson writes them; nullopt for anything else (a file may have been edited).
static std::optional<std::vector<model::Route>> RoutesFromJson(const json& j) {
  if (!j.is_array() || j.size() > model::kMaxRoutes) return std::nullopt;
  std::vector<model::Route> out;
  for (const json& r : j) {
    if (!r.is_object() || r.size() != 2 || !r.contains("to") || !r.contains("via") || !r["to"].is_string() ||
        !r["via"].is_string())
      return std::nullopt;
    auto to = model::Cidr4::Parse(r["to"].get<std::string>());
    auto via = model::Ipv4::Parse(r["via"].get<std::string>());
    if (!to || !via || to->address != to->network() || to->prefix == 0) return std::nullopt;
    out.push_back({*to, *via, {}});
  }
  return out;
}

// The readers below take any JSON (a file that crossed a trust boundary): each is wrapped by a public function
// that turns a JSON type error (a number where a string belongs, ...) into an error value, never an exception.
Result<Allocations> AllocationsFromJsonUnguarded(const json& j);
Result<Resource> ResourceFromJsonUnguarded(const json& j);
Result<ObservedState> ObservedFromJsonUnguarded(const json& j);
Result<Plan> PlanFromJsonUnguarded(const json& j);

json AllocationsToJson(const Allocations& allocations) {
  json out = json::object();
  for (const auto& [id, a] : allocations.by_interface) {
    out[id] = {{"address", a.address.ToString()}, {"mac", a.mac.ToString()}};
    for (const model::Route& r : a.routes) out[id]["routes"].push_back({{"to", r.to.ToString()}, {"via", r.via.ToString()}});
  }
  return out;
}

Result<Allocations> AllocationsFromJsonUnguarded(const json& j) {
  Allocations out;
  if (!j.is_object()) return Fail("allocations must be an object");
  for (const auto& [id, a] : j.items()) {
    auto cidr = model::Cidr4::Parse(a.is_object() ? a.value("address", "") : "");
    auto mac = model::Mac::Parse(a.is_object() ? a.value("mac", "") : "");
    if (!cidr || !mac) return Fail("bad allocation for " + id);
    auto routes = RoutesFromJson(a.value("routes", json::array()));
    if (!routes) return Fail("bad routes in the allocation for " + id);
    out.by_interface[id] = Assignment{*cidr, *mac, std::move(*routes)};
  }
  return out;
}

json ResourceToJson(const Resource& r) {
  json j = KeyToJson(r.key);
  j["attrs"] = r.attrs;
  j["ownership"] = ToString(r.ownership);
  if (!r.owner.empty()) j["owner"] = r.owner;
  if (!r.provenance.origin().empty()) j["provenance"] = ProvenanceToJson(r.provenance);
  return j;
}

Result<Resource> ResourceFromJsonUnguarded(const json& j) {
  if (!j.is_object()) return Fail("a resource must be an object");
  Resource r;
  r.key = KeyFromJson(j);
  if (r.key.kind.empty() || r.key.name.empty()) return Fail("a resource needs kind and name");
  if (j.contains("attrs")) {
    if (!j["attrs"].is_object()) return Fail("attrs of " + r.key.ToString() + " must be an object");
    for (const auto& [k, v] : j["attrs"].items()) {
      if (!v.is_string()) return Fail("attribute " + k + " of " + r.key.ToString() + " must be a string");
      r.attrs[k] = v.get<std::string>();
    }
  }
  auto own = Lookup(kOwnerships, j.value("ownership", json("owned")), "ownership");
  if (!own) return Unexpected<Error>{own.error()};
  r.ownership = *own;
  r.owner = j.value("owner", "");
  r.provenance = ProvenanceFromJson(j.value("provenance", json()));
  return r;
}

json ObservedToJson(const ObservedState& observed) {
  json resources = json::array();
  for (const auto& r : observed.resources) resources.push_back(ResourceToJson(r));
  json foreign = json::array();
  for (const auto& f : observed.facts.foreign_networks)
    foreign.push_back({{"network", f.network.ToString()}, {"where", f.where}});
  return json{{"resources", resources},
              {"facts",
               {{"foreign_networks", foreign},
                {"interfaces", observed.facts.interfaces},
                {"addresses", observed.facts.addresses},
                {"missing_features", observed.facts.missing_features},
                {"foreign_drop_chains", observed.facts.foreign_drop_chains},
                {"launch_blockers", observed.facts.launch_blockers}}}};
}

Result<ObservedState> ObservedFromJsonUnguarded(const json& j) {
  if (!j.is_object() || !j.contains("resources") || !j["resources"].is_array())
    return Fail("an observation needs a \"resources\" array");
  ObservedState o;
  for (const auto& rj : j["resources"]) {
    auto r = ResourceFromJson(rj);
    if (!r) return Unexpected<Error>{r.error()};
    o.resources.push_back(std::move(*r));
  }
  o.Sort();
  // Keys are identities: everything after (diff, graph, plan) relies on each being listed once.
  for (size_t i = 1; i < o.resources.size(); ++i)
    if (o.resources[i].key == o.resources[i - 1].key)
      return Fail("resource " + o.resources[i].key.ToString() + " is listed twice");
  const json facts = j.value("facts", json::object());
  try {
    for (const auto& f : facts.value("foreign_networks", json::array())) {
      auto cidr = model::Cidr4::Parse(f.value("network", ""));
      if (!cidr) return Fail("bad foreign network " + f.dump(-1, ' ', false, json::error_handler_t::replace));
      o.facts.foreign_networks.push_back({*cidr, f.value("where", "")});
    }
    o.facts.interfaces = facts.value("interfaces", std::vector<std::string>{});
    o.facts.addresses = facts.value("addresses", std::vector<std::string>{});
    o.facts.missing_features = facts.value("missing_features", std::vector<std::string>{});
    o.facts.foreign_drop_chains = facts.value("foreign_drop_chains", std::vector<std::string>{});
    o.facts.launch_blockers = facts.value("launch_blockers", std::map<std::string, std::string>{});
  } catch (const json::exception& e) {
    return Fail(std::string("bad facts: ") + e.what());
  }
  return o;
}

json PlanToJson(const Plan& plan) {
  json summary = json::object();
  for (const auto& [name, action] : kActions)
    if (action != ChangeAction::kNoOp) summary[name] = 0;
  summary["unchanged"] = plan.changes.unchanged;
  json changes = json::array();
  for (const auto& c : plan.changes.changes) {
    if (c.action == ChangeAction::kNoOp) continue;
    summary[ToString(c.action)] = summary[ToString(c.action)].get<int>() + 1;
    json cj = KeyToJson(c.key());
    cj["action"] = ToString(c.action);
    cj["origin"] = c.origin();
    cj["reason"] = c.reason;
    cj["fields"] = c.fields;
    cj["before"] = c.before ? ResourceToJson(*c.before) : json();
    cj["after"] = c.after ? ResourceToJson(*c.after) : json();
    if (c.removed_with) cj["removed_with"] = c.removed_with->ToString();
    changes.push_back(cj);
  }
  json conflicts = json::array(), warnings = json::array(), steps = json::array();
  for (const auto& c : plan.changes.conflicts)
    conflicts.push_back({{"key", c.key ? json(c.key->ToString()) : json()}, {"message", c.message},
                         {"provenance", ProvenanceToJson(c.provenance)}});
  for (const auto& w : plan.changes.warnings)
    warnings.push_back({{"message", w.message}, {"provenance", ProvenanceToJson(w.provenance)}});
  json widens = json::array();  // format v1, additive: VMs whose reach the plan widens (docs/plan-format.md)
  for (const auto& w : plan.changes.widens)
    widens.push_back({{"workload", w.workload}, {"before", w.before}, {"after", w.after}, {"items", w.items}});
  for (const auto& s : plan.steps) {
    json commands = json::array();
    for (const auto& c : s.commands) {
      json cj{{"argv", c.argv}};
      if (!c.input.empty()) cj["stdin"] = c.input;
      commands.push_back(std::move(cj));
    }
    steps.push_back({{"id", s.id},
                     {"op", ToString(s.op)},
                     {"key", s.key().ToString()},
                     {"resource", ResourceToJson(s.resource)},
                     {"fields", s.fields},
                     {"depends_on", s.depends_on},
                     {"provenance", ProvenanceToJson(s.provenance)},
                     {"commands", std::move(commands)}});
  }
  return json{{"format_version", plan.format_version},
              {"platform", plan.platform},
              {"summary", summary},
              {"changes", changes},
              {"conflicts", conflicts},
              {"warnings", warnings},
              {"widens", widens},
              {"steps", steps},
              {"refusal", plan.refusal ? json(*plan.refusal) : json()},
              {"allocations", AllocationsToJson(plan.allocations)},
              {"manifest_ids", plan.manifest_ids},
              {"basis", ObservedToJson(plan.basis)}};
}

Result<Plan> PlanFromJsonUnguarded(const json& j) {
  if (!j.is_object()) return Fail("a plan must be a JSON object");
  if (j.value("format_version", 0) != kPlanFormatVersion)
    return Fail("plan format version " + j.value("format_version", json(0)).dump(-1, ' ', false, json::error_handler_t::replace) + " is not supported (expected " +
                std::to_string(kPlanFormatVersion) + ")");
  Plan plan;
  plan.platform = j.value("platform", "");
  try {
    for (const auto& cj : j.at("changes")) {
      Change c;
      auto action = Lookup(kActions, cj.at("action"), "action");
      if (!action) return Unexpected<Error>{action.error()};
      c.action = *action;
      c.reason = cj.value("reason", "");
      c.fields = cj.value("fields", std::vector<std::string>{});
      for (const char* side : {"before", "after"}) {
        if (cj.value(side, json()).is_null()) continue;
        auto r = ResourceFromJson(cj[side]);
        if (!r) return Unexpected<Error>{r.error()};
        if (std::string(side) == "before") c.before = std::move(*r);
        else c.after = std::move(*r);
      }
      // The key is written for readers; berth takes it from the records, which every change has.
      if (!c.before && !c.after) return Fail("a change has neither a before nor an after record");
      plan.changes.changes.push_back(std::move(c));
    }
    for (const auto& sj : j.at("steps")) {
      Step s;
      s.id = sj.at("id").get<int>();
      auto op = Lookup(kOps, sj.at("op"), "op");
      if (!op) return Unexpected<Error>{op.error()};
      s.op = *op;
      auto r = ResourceFromJson(sj.at("resource"));
      if (!r) return Unexpected<Error>{r.error()};
      s.resource = std::move(*r);
      s.fields = sj.value("fields", std::vector<std::string>{});
      s.depends_on = sj.value("depends_on", std::vector<int>{});
      s.provenance = ProvenanceFromJson(sj.value("provenance", json()));
      for (const auto& cj : sj.value("commands", json::array()))
        s.commands.push_back({cj.at("argv").get<std::vector<std::string>>(), cj.value("stdin", "")});
      if (s.id != static_cast<int>(plan.steps.size())) return Fail("step ids must be 0, 1, 2, ... in order");
      for (int dep : s.depends_on)
        if (dep < 0 || dep >= s.id) return Fail("step " + std::to_string(s.id) + " depends on a later step");
      plan.steps.push_back(std::move(s));
    }
    // An update's observed record is its change's before (plan JSON writes it once, with the change).
    std::map<ResourceKey, const Change*> change_of;
    for (const auto& c : plan.changes.changes) change_of.emplace(c.key(), &c);
    for (auto& s : plan.steps)
      if (auto it = change_of.find(s.key()); s.op == Op::kUpdate && it != change_of.end()) s.before = it->second->before;
    for (const auto& cj : j.value("conflicts", json::array()))
      plan.changes.conflicts.push_back({std::nullopt, cj.value("message", ""),
                                        ProvenanceFromJson(cj.value("provenance", json()))});
    for (const auto& wj : j.value("warnings", json::array()))
      plan.changes.warnings.push_back({wj.value("message", ""), ProvenanceFromJson(wj.value("provenance", json()))});
    for (const auto& wj : j.value("widens", json::array()))
      plan.changes.widens.push_back({wj.at("workload").get<std::string>(), wj.value("before", ""), wj.value("after", ""),
                                     wj.value("items", std::vector<std::string>{})});
    if (j.contains("refusal") && j["refusal"].is_string()) plan.refusal = j["refusal"].get<std::string>();
  } catch (const json::exception& e) {
    return Fail(std::string("malformed plan: ") + e.what());
  }
  auto allocations = AllocationsFromJson(j.value("allocations", json::object()));
  if (!allocations) return Unexpected<Error>{allocations.error()};
  plan.allocations = std::move(*allocations);
  if (auto ids = j.find("manifest_ids"); ids != j.end() && ids->is_array())
    for (const auto& id : *ids)
      if (id.is_string()) plan.manifest_ids.push_back(id.get<std::string>());
  auto basis = ObservedFromJson(j.value("basis", json()));
  if (!basis) return Unexpected<Error>{basis.error()};
  plan.basis = std::move(*basis);
  return plan;
}

namespace {

template <typename T>
Result<T> Guarded(Result<T> (*read)(const json&), const json& j, const char* what) {
  try {
    return read(j);
  } catch (const json::exception& e) {
    return Fail(std::string("malformed ") + what + ": " + e.what());
  } catch (const std::exception& e) {  // e.g. std::bad_alloc from an absurd size: still an error, not an abort
    return Fail(std::string("malformed ") + what + ": " + e.what());
  }
}

}  // namespace

Result<Allocations> AllocationsFromJson(const json& j) { return Guarded(&AllocationsFromJsonUnguarded, j, "allocations"); }
Result<Resource> ResourceFromJson(const json& j) { return Guarded(&ResourceFromJsonUnguarded, j, "resource"); }
Result<ObservedState> ObservedFromJson(const json& j) { return Guarded(&ObservedFromJsonUnguarded, j, "observation"); }
Result<Plan> PlanFromJson(const json& j) { return Guarded(&PlanFromJsonUnguarded, j, "plan"); }

}  // namespace berth::reconciler
