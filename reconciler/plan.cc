// BuildPlan: the change set becomes steps (create, update, delete; a replacement is a delete and a create),
// ordered by a dependency graph whose delete edges are inverted, with ties broken by key for determinism.
#include "reconciler/plan.h"

#include <algorithm>
#include <unordered_map>

#include "reconciler/graph.h"

namespace berth::reconciler {
namespace {

struct KeyHash {
  size_t operator()(const ResourceKey& k) const {
    std::hash<std::string> h;
    return h(k.kind) ^ (h(k.scope) * 31) ^ (h(k.name) * 1000003);
  }
};

/// Steps in canonical order (by key, a key's delete before its create) before sorting, with the book-keeping
/// the edge rules need: which step creates (or updates) and which deletes each key.
struct Draft {
  std::vector<Step> steps;
  std::vector<const Change*> change_of;  // per step
  std::unordered_map<ResourceKey, int, KeyHash> create_of;  // create or update step of a key
  std::unordered_map<ResourceKey, int, KeyHash> delete_of;  // delete step of a key
};

Provenance ProvenanceOf(const Change& change) {
  if (change.after) return change.after->provenance;
  return Provenance{change.origin(), {}};
}

void AddStep(Draft& draft, const Change& change, Op op, const Resource& resource) {
  Step step;
  step.id = int(draft.steps.size());
  step.op = op;
  step.key = change.key;
  step.resource = resource;
  if (op == Op::kUpdate) step.fields = change.fields;
  step.provenance = ProvenanceOf(change);
  (op == Op::kDelete ? draft.delete_of : draft.create_of)[change.key] = step.id;
  draft.steps.push_back(std::move(step));
  draft.change_of.push_back(&change);
}

Draft MakeSteps(const ChangeSet& changes) {
  Draft draft;
  draft.steps.reserve(changes.changes.size());
  draft.change_of.reserve(changes.changes.size());
  for (const Change& c : changes.changes) {
    // A removal that goes with its container needs no step; a replacement whose old object went with its
    // container needs only its create.
    bool removed_with = c.removed_with.has_value();
    switch (c.action) {
      case ChangeAction::kCreate: AddStep(draft, c, Op::kCreate, *c.after); break;
      case ChangeAction::kUpdate: AddStep(draft, c, Op::kUpdate, *c.after); break;
      case ChangeAction::kReplace:
        if (!removed_with) AddStep(draft, c, Op::kDelete, *c.before);
        AddStep(draft, c, Op::kCreate, *c.after);
        break;
      case ChangeAction::kDelete:
      case ChangeAction::kCollect:
        if (!removed_with) AddStep(draft, c, Op::kDelete, *c.before);
        break;
      case ChangeAction::kNoOp:
      case ChangeAction::kConflict: break;
    }
  }
  return draft;
}

/// Dependencies of a resource: what the platform names plus its container, deduplicated.
std::vector<ResourceKey> NeedsOf(const Platform& platform, const Resource& r) {
  std::vector<ResourceKey> keys = platform.DependenciesOf(r);
  if (auto container = platform.ContainerOf(r)) keys.push_back(*container);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::erase(keys, r.key);
  return keys;
}

int Find(const std::unordered_map<ResourceKey, int, KeyHash>& map, const ResourceKey& key) {
  auto it = map.find(key);
  return it == map.end() ? -1 : it->second;
}

/// Edges: creates and updates after the creates of what they need; deletes before the deletes of what they
/// needed; an update before the delete of what it stops needing; a key's create after its own removal (its
/// delete step, or its container's when it went with the container).
void AddEdges(const Platform& platform, const Draft& draft, Graph& graph) {
  for (const Step& step : draft.steps) {
    const Change& change = *draft.change_of[step.id];
    if (step.op == Op::kDelete) {
      for (const ResourceKey& dep : NeedsOf(platform, step.resource))
        if (int d = Find(draft.delete_of, dep); d >= 0) graph.AddEdge(step.id, d);
      continue;
    }
    std::vector<ResourceKey> needs = NeedsOf(platform, step.resource);
    for (const ResourceKey& dep : needs)
      if (int c = Find(draft.create_of, dep); c >= 0) graph.AddEdge(c, step.id);
    if (step.op == Op::kUpdate && change.before) {
      for (const ResourceKey& dep : NeedsOf(platform, *change.before))
        if (int d = Find(draft.delete_of, dep); d >= 0 && !std::binary_search(needs.begin(), needs.end(), dep))
          graph.AddEdge(step.id, d);
    }
    if (step.op == Op::kCreate) {
      if (int d = Find(draft.delete_of, step.key); d >= 0) graph.AddEdge(d, step.id);
      if (change.removed_with)
        if (int d = Find(draft.delete_of, *change.removed_with); d >= 0) graph.AddEdge(d, step.id);
    }
  }
}

std::string DescribeCycle(const Draft& draft, const std::vector<int>& members) {
  std::string text;
  for (int id : members) {
    const Step& s = draft.steps[id];
    text += std::string(ToString(s.op)) + " " + s.key.ToString() + " -> ";
  }
  const Step& first = draft.steps[members.front()];
  return text + ToString(first.op) + " " + first.key.ToString();
}

}  // namespace

Result<Plan> BuildPlan(const Platform& platform, ChangeSet changes, ObservedState basis) {
  Plan plan;
  plan.platform = platform.name();
  plan.changes = std::move(changes);
  plan.basis = std::move(basis);

  Draft draft = MakeSteps(plan.changes);
  Graph graph(int(draft.steps.size()));
  AddEdges(platform, draft, graph);

  std::vector<int> order = graph.TopologicalOrder();
  if (order.size() != draft.steps.size()) {
    std::string message = "dependency cycle among the steps:";
    for (const auto& cycle : graph.Cycles()) message += "\n  " + DescribeCycle(draft, cycle);
    return Fail(message);
  }

  // Renumber: a step's id is its position in the order; dependencies follow the graph's edges.
  std::vector<int> position(order.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = int(i);
  std::vector<std::vector<int>> depends_on(order.size());
  for (int from = 0; from < graph.node_count(); ++from)
    for (int to : graph.Successors(from)) depends_on[position[to]].push_back(position[from]);

  plan.steps.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    Step step = std::move(draft.steps[order[i]]);
    step.id = int(i);
    auto& deps = depends_on[i];
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    step.depends_on = std::move(deps);
    plan.steps.push_back(std::move(step));
  }
  return plan;
}


void CheckMassDeletion(const Platform& platform, const MassDeleteGuard& guard, Plan& plan) {
  int owned = 0;
  for (const Resource& r : plan.basis.resources)
    if (r.ownership != Ownership::kUnowned && platform.IsWorkload(r.key)) ++owned;

  // A replacement recreates its workload, so only deletes without a create of the same key remove one.
  std::vector<ResourceKey> created;
  for (const Step& s : plan.steps)
    if (s.op == Op::kCreate) created.push_back(s.key);
  std::sort(created.begin(), created.end());
  int removals = 0;
  for (const Step& s : plan.steps)
    if (s.op == Op::kDelete && platform.IsWorkload(s.key) && !std::binary_search(created.begin(), created.end(), s.key))
      ++removals;

  if (guard.allow || removals == 0 || owned == 0) return;
  const bool all = removals >= owned;
  const bool too_many = double(removals) / double(owned) > guard.max_share;
  if (!all && !too_many) return;
  plan.refusal = "refusing to delete " + std::to_string(removals) + " of " + std::to_string(owned) +
                 " owned workloads (" + (all ? std::string("all of them") :
                                               "more than " + std::to_string(int(guard.max_share * 100)) + "%") +
                 "); check the manifests, or pass --allow-mass-delete to go ahead";
}

}  // namespace berth::reconciler
