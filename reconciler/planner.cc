// MakePlan, Verify and DescribeDrift: the glue between diff, plan building and the guard.
#include "reconciler/planner.h"

#include <algorithm>
#include <set>

namespace berth::reconciler {
namespace {

std::string Show(const std::string* v) { return v ? "\"" + *v + "\"" : "unset"; }

}  // namespace

std::vector<std::string> ManifestIdsOf(const model::Manifest& m) {
  std::vector<std::string> ids;
  for (const auto& x : m.bridges) ids.push_back(x.doc.Id());
  for (const auto& x : m.nats) ids.push_back(x.doc.Id());
  for (const auto& x : m.vms) ids.push_back(x.doc.Id());
  for (const auto& x : m.jails) ids.push_back(x.doc.Id());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<Plan> MakePlan(const Platform& platform, PlanInput input) {
  DesiredState desired;
  if (!input.destroy && input.manifest) desired = platform.Expand(*input.manifest, input.allocations);
  ManifestIds ids;
  if (!input.destroy && input.manifest) ids.current = ManifestIdsOf(*input.manifest);
  ids.applied = input.applied_ids;
  ChangeSet changes = ComputeDiff(platform, std::move(desired), input.observed, ids);
  platform.HoldBlocked(changes, input.observed.facts);
  platform.NoteWidenings(changes);
  auto plan = BuildPlan(platform, std::move(changes), std::move(input.observed));
  if (!plan) return plan;
  plan->platform = platform.name();
  plan->allocations = std::move(input.allocations);
  plan->manifest_ids = std::move(ids.current);
  MassDeleteGuard guard = input.guard;
  if (input.destroy) guard.allow = true;  // destroy is the explicit request to remove everything
  CheckMassDeletion(platform, guard, *plan);
  return plan;
}

std::vector<std::string> Verify(const Platform& platform, const Plan& plan, const ObservedState& after) {
  std::vector<std::string> mismatches;
  std::set<ResourceKey> created;
  for (const auto& step : plan.steps)
    if (step.op != Op::kDelete) created.insert(step.key());
  // A key's last create or update step carries its final record (a create may hold attributes back).
  std::set<ResourceKey> final_seen;
  std::vector<bool> is_final(plan.steps.size(), false);
  for (size_t i = plan.steps.size(); i-- > 0;)
    if (plan.steps[i].op != Op::kDelete) is_final[i] = final_seen.insert(plan.steps[i].key()).second;
  for (const auto& step : plan.steps) {
    if (step.op != Op::kDelete && !is_final[size_t(step.id)]) continue;
    const Resource* seen = after.Find(step.key());
    const std::string name = step.key().ToString();
    if (step.op == Op::kDelete) {
      // A replaced object is deleted and created again: its later create step is what counts.
      if (seen && !created.count(step.key()) && seen->ownership != Ownership::kUnowned)
        mismatches.push_back(name + ": still present after its deletion");
      continue;
    }
    if (!seen) {
      mismatches.push_back(name + ": missing after apply");
      continue;
    }
    if (seen->ownership != Ownership::kOwned && !platform.IsSetting(step.key()))
      mismatches.push_back(name + ": ownership is " + ToString(seen->ownership) + ", want owned");
    for (const auto& [field, want] : step.resource->attrs) {
      if (platform.PolicyOf(step.key().kind, field) == FieldPolicy::kIgnore) continue;
      const std::string* have = seen->Attr(field);
      if (!have || *have != want) mismatches.push_back(name + ": " + field + " is " + Show(have) + ", want \"" + want + "\"");
    }
  }
  return mismatches;
}

std::vector<std::string> DescribeDrift(const Plan& plan, const ObservedState& now_all) {
  std::set<ResourceKey> touched;
  for (const auto& c : plan.changes.changes) touched.insert(c.key());
  auto relevant = [&](const ObservedState& in) {
    ObservedState out;
    for (const auto& r : in.resources)
      if (r.ownership != Ownership::kUnowned || touched.count(r.key)) out.resources.push_back(r);
    out.facts.foreign_networks = in.facts.foreign_networks;
    out.facts.missing_features = in.facts.missing_features;
    return out;
  };
  const ObservedState basis = relevant(plan.basis), now = relevant(now_all);
  std::vector<std::string> moved;
  auto b = basis.resources.begin(), be = basis.resources.end();
  auto n = now.resources.begin(), ne = now.resources.end();
  while (b != be || n != ne) {
    if (n == ne || (b != be && b->key < n->key)) {
      moved.push_back(b->key.ToString() + ": gone since the plan was made");
      ++b;
    } else if (b == be || n->key < b->key) {
      moved.push_back(n->key.ToString() + ": appeared since the plan was made");
      ++n;
    } else {
      if (b->ownership != n->ownership)
        moved.push_back(n->key.ToString() + ": ownership changed from " + ToString(b->ownership) + " to " +
                        ToString(n->ownership));
      std::set<std::string> fields;
      for (const auto& [k, v] : b->attrs) fields.insert(k);
      for (const auto& [k, v] : n->attrs) fields.insert(k);
      for (const auto& f : fields)
        if (b->AttrOr(f, "\x01") != n->AttrOr(f, "\x01"))
          moved.push_back(n->key.ToString() + ": " + f + " changed from " + Show(b->Attr(f)) + " to " + Show(n->Attr(f)));
      ++b, ++n;
    }
  }
  if (basis.facts != now.facts) moved.push_back("foreign networks or kernel features changed");
  return moved;
}

}  // namespace berth::reconciler
