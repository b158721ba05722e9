// BuildPlan: the change set becomes steps (create, update, delete; a replacement is a delete and a create),
// ordered by a dependency graph whose delete edges are inverted, with ties broken by key for determinism.
#include "reconciler/plan.h"

#include <algorithm>

#include "reconciler/graph.h"
#include "reconciler/key_index.h"
#include "reconciler/permute.h"

namespace berth::reconciler {
namespace {

/// Steps in canonical order (by key, a key's delete before its create), before sorting, and an index from a
/// key to its first step (at most two per key: a replacement's delete and create).
struct Draft {
  std::vector<Step> steps;
  std::vector<const Change*> change_of;  // per step
  KeyIndex first_step;  // key -> its first step; refers to the steps' records: built once steps are final
  bool any_delete = false;  // a new host has none: its creations need not look for their own removal

  const ResourceKey& KeyOf(int id) const { return steps[size_t(id)].key(); }
  void Index() {
    first_step.Build(int(steps.size()), [this](int id) -> const ResourceKey& { return KeyOf(id); });
  }
  /// The step of `key` with an op that `wanted` accepts, or -1.
  template <typename Pred>
  int Find(const ResourceKey& key, Pred wanted) const {
    const int first = first_step.Find(key, [this](int id) -> const ResourceKey& { return KeyOf(id); });
    if (first < 0) return -1;
    for (size_t i = size_t(first); i < steps.size() && steps[i].key() == key; ++i)
      if (wanted(steps[i].op)) return int(i);
    return -1;
  }
  int CreateOf(const ResourceKey& key) const { return Find(key, [](Op op) { return op != Op::kDelete; }); }
  int DeleteOf(const ResourceKey& key) const {
    return any_delete ? Find(key, [](Op op) { return op == Op::kDelete; }) : -1;
  }
};

Provenance ProvenanceOf(const Change& change) {
  if (change.after) return change.after->provenance;
  return Provenance{change.origin(), {}};
}

void AddStep(Draft& draft, const Change& change, Op op, const Shared<Resource>& resource) {
  Step& step = draft.steps.emplace_back();
  step.id = int(draft.steps.size()) - 1;
  step.op = op;
  step.resource = resource;
  draft.any_delete = draft.any_delete || op == Op::kDelete;
  if (op == Op::kUpdate) {
    step.fields = change.fields;
    step.before = change.before;
  }
  step.provenance = ProvenanceOf(change);
  draft.change_of.push_back(&change);
}

Draft MakeSteps(const ChangeSet& changes) {
  // The diff emits changes sorted by key; sort an index only if a caller did not.
  const auto& all = changes.changes;
  std::vector<size_t> order(all.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto by_key = [&](size_t a, size_t b) { return all[a].key() < all[b].key(); };
  if (!std::is_sorted(order.begin(), order.end(), by_key)) std::stable_sort(order.begin(), order.end(), by_key);

  // At most two steps per change, plus the held-back updates (at most one per create): reserving the bound
  // costs address space only, while growing would move every step already written.
  Draft draft;
  draft.steps.reserve(all.size() * 2);
  draft.change_of.reserve(all.size() * 2);
  for (size_t i : order) {
    const Change& c = all[i];
    // A removal that goes with its container needs no step; a replacement whose old object went with its
    // container needs only its create.
    bool removed_with = c.removed_with.has_value();
    switch (c.action) {
      case ChangeAction::kCreate: AddStep(draft, c, Op::kCreate, c.after); break;
      case ChangeAction::kUpdate: AddStep(draft, c, Op::kUpdate, c.after); break;
      case ChangeAction::kReplace:
        if (!removed_with) AddStep(draft, c, Op::kDelete, c.before);
        AddStep(draft, c, Op::kCreate, c.after);
        break;
      case ChangeAction::kDelete:
      case ChangeAction::kCollect:
        if (!removed_with) AddStep(draft, c, Op::kDelete, c.before);
        break;
      case ChangeAction::kNoOp:
      case ChangeAction::kConflict: break;
    }
  }
  draft.Index();
  return draft;
}

/// Dependencies of a resource: what the platform names plus its container, without duplicates or itself.
std::vector<ResourceKey> NeedsOf(const Platform& platform, const Resource& r) {
  std::vector<ResourceKey> keys = platform.DependenciesOf(r);
  if (auto container = platform.ContainerOf(r)) keys.push_back(std::move(*container));
  size_t kept = 0;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] != r.key && std::find(keys.begin(), keys.begin() + kept, keys[i]) == keys.begin() + kept) {
      if (i != kept) keys[kept] = std::move(keys[i]);  // never self-move: it empties the strings
      ++kept;
    }
  keys.resize(kept);
  return keys;
}

/// Edges, as (before, after) pairs: creates and updates after the creates of what they need; deletes before
/// the deletes of what they needed; an update before the delete of what it stops needing; a key's create after
/// its own removal (its delete step, or its container's when it went with the container).
std::vector<std::pair<int, int>> Edges(const Platform& platform, const Draft& draft) {
  std::vector<std::pair<int, int>> edges;
  edges.reserve(draft.steps.size() * 2);
  for (const Step& step : draft.steps) {
    const Change& change = *draft.change_of[step.id];
    if (step.op == Op::kDelete) {
      for (const ResourceKey& dep : NeedsOf(platform, *step.resource))
        if (int d = draft.DeleteOf(dep); d >= 0) edges.emplace_back(step.id, d);
      continue;
    }
    std::vector<ResourceKey> needs = NeedsOf(platform, *step.resource);
    for (const ResourceKey& dep : needs)
      if (int c = draft.CreateOf(dep); c >= 0) edges.emplace_back(c, step.id);
    if (step.op == Op::kUpdate && change.before) {
      for (const ResourceKey& dep : NeedsOf(platform, *change.before))
        if (int d = draft.DeleteOf(dep); d >= 0 && std::find(needs.begin(), needs.end(), dep) == needs.end())
          edges.emplace_back(step.id, d);
    }
    if (step.op == Op::kCreate) {
      if (int d = draft.DeleteOf(step.key()); d >= 0) edges.emplace_back(d, step.id);
      if (change.removed_with)
        if (int d = draft.DeleteOf(*change.removed_with); d >= 0) edges.emplace_back(d, step.id);
    }
  }
  return edges;
}

/// Splits the creations that hold attributes back (Platform::HeldBackOnCreate) into a create with the
/// stand-in values and an update with the real ones after the creations it waits for; the other creations
/// that need the resource come after the update. The update steps are appended (the canonical order finds
/// the create first for the key).
void AddHeldBackUpdates(const Platform& platform, Draft& draft, std::vector<std::pair<int, int>>& edges) {
  // The creations that hold something back, in id order (deterministic ids for the new steps), then the
  // creations built on each of them, in one pass over the edges.
  std::vector<int> held;
  std::vector<Platform::HeldBack> back_of;
  std::vector<int> held_index(draft.steps.size(), -1);
  for (const Step& step : draft.steps) {
    if (step.op != Op::kCreate) continue;
    Platform::HeldBack back = platform.HeldBackOnCreate(*step.resource);
    if (back.stand_ins.empty()) continue;
    held_index[step.id] = int(held.size());
    held.push_back(step.id);
    back_of.push_back(std::move(back));
  }
  if (held.empty()) return;
  std::vector<std::vector<int>> built_on(held.size());  // per held creation: the creations that need it
  for (const auto& [from, to] : edges)
    if (held_index[from] >= 0 && draft.steps[to].op == Op::kCreate && draft.steps[from].key() != draft.steps[to].key())
      built_on[held_index[from]].push_back(to);
  for (size_t h = 0; h < held.size(); ++h) {
    const int id = held[h];
    const Platform::HeldBack& back = back_of[h];
    if (built_on[h].empty()) continue;  // nothing is built on it: created with its real values
    Step update = draft.steps[id];
    update.id = int(draft.steps.size());
    update.op = Op::kUpdate;
    update.fields.clear();
    // The create gets its own record with the stand-ins; the update shares the real one with the change.
    for (auto& [field, value] : back.stand_ins) update.fields.push_back(field);
    draft.steps[id].resource.Edit([&](Resource& r) {
      for (auto& [field, value] : back.stand_ins) r.attrs[field] = value;
    });
    std::sort(update.fields.begin(), update.fields.end());
    edges.emplace_back(id, update.id);
    for (int dependent : built_on[h]) {
      const std::string& kind = draft.steps[dependent].key().kind;
      if (std::find(back.until.begin(), back.until.end(), kind) != back.until.end())
        edges.emplace_back(dependent, update.id);
      else
        edges.emplace_back(update.id, dependent);
    }
    draft.change_of.push_back(draft.change_of[id]);
    draft.steps.push_back(std::move(update));
  }
}

std::string DescribeCycle(const Draft& draft, const std::vector<int>& members) {
  std::string text;
  for (int id : members) {
    const Step& s = draft.steps[id];
    text += std::string(ToString(s.op)) + " " + s.key().ToString() + " -> ";
  }
  const Step& first = draft.steps[members.front()];
  return text + ToString(first.op) + " " + first.key().ToString();
}

}  // namespace

Result<Plan> BuildPlan(const Platform& platform, ChangeSet changes, ObservedState basis) {
  Plan plan;
  plan.platform = platform.name();
  plan.changes = std::move(changes);
  plan.basis = std::move(basis);

  Draft draft = MakeSteps(plan.changes);
  std::vector<std::pair<int, int>> edges = Edges(platform, draft);
  AddHeldBackUpdates(platform, draft, edges);
  Graph graph(int(draft.steps.size()));
  for (const auto& [from, to] : edges) graph.AddEdge(from, to);

  std::vector<int> order = graph.TopologicalOrder();
  if (order.size() != draft.steps.size()) {
    std::string message = "dependency cycle among the steps:";
    for (const auto& cycle : graph.Cycles()) message += "\n  " + DescribeCycle(draft, cycle);
    return Fail(message);
  }

  // Renumber: a step's id is its position in the order; dependencies follow the edges. The steps are put in
  // order in place (each moves once, along the cycles of the permutation) rather than into a second array of
  // freshly faulted pages. The draft's key index is not used after this.
  std::vector<int> position(order.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = int(i);
  std::vector<Step>& steps = draft.steps;
  PermuteInPlace(steps, order);
  for (size_t i = 0; i < steps.size(); ++i) steps[i].id = int(i);
  plan.steps = std::move(steps);
  for (const auto& [from, to] : edges) plan.steps[position[to]].depends_on.push_back(position[from]);
  for (Step& step : plan.steps) {
    auto& deps = step.depends_on;
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  }
  return plan;
}


void CheckMassDeletion(const Platform& platform, const MassDeleteGuard& guard, Plan& plan) {
  if (guard.allow) return;
  // A replacement recreates its workload, so only deletes without a create of the same key remove one.
  std::vector<ResourceKey> deleted, created;
  for (const Step& s : plan.steps) {
    if (!platform.IsWorkload(s.key())) continue;
    if (s.op == Op::kDelete) deleted.push_back(s.key());
    if (s.op == Op::kCreate) created.push_back(s.key());
  }
  if (deleted.empty()) return;
  std::sort(created.begin(), created.end());
  int removals = 0;
  for (const ResourceKey& key : deleted)
    if (!std::binary_search(created.begin(), created.end(), key)) ++removals;
  int owned = 0;
  for (const Resource& r : plan.basis.resources)
    if (r.ownership != Ownership::kUnowned && platform.IsWorkload(r.key)) ++owned;

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
