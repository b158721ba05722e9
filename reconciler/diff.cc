// The diff. Three passes: compare each key; propagate replacements to dependents (they are deleted first and
// recreated after); mark what goes with a removed container so the plan never deletes it one by one.
#include "reconciler/diff.h"

#include <algorithm>
#include <map>
#include <set>

namespace berth::reconciler {
namespace {

bool Removes(ChangeAction a) {
  return a == ChangeAction::kDelete || a == ChangeAction::kCollect || a == ChangeAction::kReplace;
}

Change Compare(const Platform& platform, Resource want_record, const Resource& have) {
  Change c{want_record.key, ChangeAction::kNoOp, have, std::move(want_record), {}, "", std::nullopt};
  const Resource& want = *c.after;
  if (have.ownership == Ownership::kUnowned && !platform.IsSetting(want.key)) {
    c.action = ChangeAction::kConflict;
    c.reason = "the name is held by an object berth does not own";
    return c;
  }
  bool replace = false;
  for (const auto& [field, value] : want.attrs) {
    FieldPolicy policy = platform.PolicyOf(want.key.kind, field);
    if (policy == FieldPolicy::kIgnore) continue;
    const std::string* seen = have.Attr(field);
    if (seen && *seen == value) continue;
    c.fields.push_back(field);
    replace = replace || policy == FieldPolicy::kReplace;
  }
  if (have.ownership == Ownership::kMarked) c.fields.push_back("owner");  // finish a tag a crash interrupted
  if (c.fields.empty()) return c;
  c.action = replace ? ChangeAction::kReplace : ChangeAction::kUpdate;
  c.reason = replace ? "a field that cannot change in place differs" : "drifted from the manifests";
  if (c.fields == std::vector<std::string>{"owner"}) c.reason = "berth's mark has no details (interrupted creation)";
  return c;
}

Change Removal(const Platform& platform, const Resource& have, const std::set<std::string>& current,
               const std::set<std::string>& applied) {
  Change c{have.key, ChangeAction::kCollect, have, std::nullopt, {}, "", std::nullopt};
  const std::string owner = platform.OwnerOf(have);
  c.before->owner = owner;
  if (have.ownership == Ownership::kMarked && owner.empty()) {
    c.reason = "leaked: berth's mark without details (interrupted creation)";
  } else if (!owner.empty() && !current.count(owner) && applied.count(owner)) {
    c.action = ChangeAction::kDelete;
    c.reason = owner + " is no longer in the manifests";
  } else if (!owner.empty() && !current.count(owner)) {
    c.reason = "leaked: tagged for " + owner + ", which berth never applied or no longer knows";
  } else if (!owner.empty()) {
    c.reason = "leaked: owned by " + owner + ", which no longer wants it";
  } else {
    // Fully tagged but shared (berth's nftables table): nothing needs it any more.
    c.action = ChangeAction::kDelete;
    c.reason = "no manifest resource needs it any more";
  }
  return c;
}

/// Replacing X deletes it, so whatever depends on X is deleted before and recreated after (dependents first).
void PropagateReplacements(const Platform& platform, std::vector<Change>& changes) {
  std::vector<size_t> work;
  for (size_t i = 0; i < changes.size(); ++i)
    if (changes[i].action == ChangeAction::kReplace) work.push_back(i);
  if (work.empty()) return;  // the common case: skip the dependency index (it dominates large plans)
  std::map<ResourceKey, std::vector<size_t>> dependents;  // key -> changes whose desired resource depends on it
  for (size_t i = 0; i < changes.size(); ++i)
    if (changes[i].after && changes[i].before)
      for (const auto& dep : platform.DependenciesOf(*changes[i].after)) dependents[dep].push_back(i);

  while (!work.empty()) {
    size_t i = work.back();
    work.pop_back();
    for (size_t d : dependents[changes[i].key]) {
      Change& c = changes[d];
      if (c.action != ChangeAction::kNoOp && c.action != ChangeAction::kUpdate) continue;
      c.action = ChangeAction::kReplace;
      c.reason = "replaced with " + changes[i].key.ToString();
      work.push_back(d);
    }
  }
}

/// Objects inside a removed container go with it: removals get `removed_with`, and desired objects there are
/// recreated (create after the container's create).
void MarkContained(const Platform& platform, std::vector<Change>& changes) {
  if (std::none_of(changes.begin(), changes.end(), [](const Change& c) { return Removes(c.action); })) return;
  // `changes` is sorted by key: binary search instead of an index map (no allocation per change).
  auto find = [&](const ResourceKey& key) -> Change* {
    auto it = std::lower_bound(changes.begin(), changes.end(), key,
                               [](const Change& c, const ResourceKey& k) { return c.key < k; });
    return it != changes.end() && it->key == key ? &*it : nullptr;
  };
  auto removed_ancestor = [&](const Resource& r) -> std::optional<ResourceKey> {
    std::optional<ResourceKey> found;
    std::optional<ResourceKey> up = platform.ContainerOf(r);
    for (int depth = 0; up && depth < 8; ++depth) {
      const Change* container = find(*up);
      if (!container || !container->before) break;
      if (Removes(container->action)) found = *up;  // keep climbing: the outermost one removes it
      up = platform.ContainerOf(*container->before);
    }
    return found;
  };
  for (auto& c : changes) {
    if (!c.before) continue;
    auto container = removed_ancestor(*c.before);
    if (!container) continue;
    c.removed_with = container;
    if (c.action == ChangeAction::kNoOp || c.action == ChangeAction::kUpdate || c.action == ChangeAction::kReplace) {
      c.action = ChangeAction::kCreate;
      c.reason = "recreated: it goes with " + container->ToString();
    }
  }
}

}  // namespace

const char* ToString(ChangeAction a) {
  switch (a) {
    case ChangeAction::kNoOp: return "no-op";
    case ChangeAction::kCreate: return "create";
    case ChangeAction::kUpdate: return "update";
    case ChangeAction::kReplace: return "replace";
    case ChangeAction::kDelete: return "delete";
    case ChangeAction::kCollect: return "collect";
    case ChangeAction::kConflict: return "conflict";
  }
  return "?";
}

std::string Change::origin() const {
  if (after) return after->provenance.origin;
  if (before) return before->owner;
  return "";
}

ChangeSet ComputeDiff(const Platform& platform, DesiredState desired, const ObservedState& observed,
                      const ManifestIds& ids) {
  const std::set<std::string> current(ids.current.begin(), ids.current.end());
  const std::set<std::string> applied(ids.applied.begin(), ids.applied.end());
  // Host checks first: the desired records move into the changes below (copying them dominated large plans).
  std::vector<Conflict> host_conflicts;
  std::vector<Warning> warnings;
  platform.CheckHost(desired, observed, host_conflicts, warnings);
  ChangeSet set;
  set.changes.reserve(desired.resources.size() + observed.resources.size());
  auto d = desired.resources.begin(), de = desired.resources.end();
  auto o = observed.resources.begin(), oe = observed.resources.end();
  while (d != de || o != oe) {
    if (o == oe || (d != de && d->key < o->key)) {
      set.changes.push_back({d->key, ChangeAction::kCreate, std::nullopt, std::move(*d), {}, "not on the host", std::nullopt});
      ++d;
    } else if (d == de || o->key < d->key) {
      if (o->ownership != Ownership::kUnowned && !platform.IsSetting(o->key))
        set.changes.push_back(Removal(platform, *o, current, applied));
      ++o;
    } else {
      set.changes.push_back(Compare(platform, std::move(*d), *o));
      ++d, ++o;
    }
  }
  PropagateReplacements(platform, set.changes);
  MarkContained(platform, set.changes);
  for (auto& c : set.changes)
    if (c.action == ChangeAction::kConflict)
      set.conflicts.push_back({c.key, c.key.ToString() + ": " + c.reason, c.after->provenance});
  for (auto& c : host_conflicts) set.conflicts.push_back(std::move(c));
  set.warnings = std::move(warnings);
  return set;
}

}  // namespace berth::reconciler
