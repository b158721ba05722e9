// The diff. Three passes: compare each key; propagate replacements to dependents (they are deleted first and
// recreated after); mark what goes with a removed container so the plan never deletes it one by one.
//
// The passes work on one light entry per key (pointers to the desired and observed records); a Change is made
// only for a key that needs something. A converged host of 10,000 VMs has ~80,000 keys and no work: making a
// Change (and copying its records) for each of them was most of the cost of planning.
#include "reconciler/diff.h"

#include <algorithm>
#include <compare>
#include <map>
#include <set>

#include "reconciler/half_made.h"

namespace berth::reconciler {
namespace {

bool Removes(ChangeAction a) {
  return a == ChangeAction::kDelete || a == ChangeAction::kCollect || a == ChangeAction::kReplace;
}

/// One key of the diff. `want` is the desired state's handle: its change shares the record.
struct Entry {
  Shared<Resource>* want = nullptr;  // desired, or null
  const Resource* have = nullptr;    // observed, or null
  int change = -1;                   // index into Draft::changes; -1 while nothing needs doing

  const ResourceKey& key() const { return want ? (*want)->key : have->key; }
};

struct Draft {
  std::vector<Entry> entries;  // sorted by key
  std::vector<Change> changes;  // in key order until a pass promotes an entry (appended out of order)
  bool promoted = false;

  ChangeAction ActionOf(const Entry& e) const { return e.change < 0 ? ChangeAction::kNoOp : changes[e.change].action; }
  /// The change of a no-op entry that a pass turns into work.
  Change& Promote(Entry& e) {
    if (e.change < 0) {
      promoted = true;
      e.change = int(changes.size());
      Change& c = changes.emplace_back();
      if (e.want) c.after = *e.want;
      if (e.have) c.before = *e.have;
    }
    return changes[e.change];
  }
};

/// The change `want` against `have` needs, or nullopt when none.
std::optional<Change> Compare(const Platform& platform, const Resource& want, const Resource& have) {
  if (have.ownership == Ownership::kUnowned && !platform.IsSetting(want.key)) {
    std::string reason = "the name is held by an object berth does not own";
    if (const std::string* holds = have.Attr(kHoldsUnownedAttr)) reason += " (it holds " + *holds + ")";
    return Change{ChangeAction::kConflict, have, std::nullopt, {}, std::move(reason), std::nullopt};
  }
  if (const std::string* broken = have.Attr(kBrokenAttr))
    return Change{ChangeAction::kReplace, have, std::nullopt, {kBrokenAttr}, "half-made: " + *broken, std::nullopt};
  std::vector<std::string> fields;
  bool replace = false;
  // Both attribute maps are sorted by name: one walk over the two instead of a search per field, and the
  // field's policy is looked up only when the values differ (almost never on a converged host).
  auto seen_it = have.attrs.begin();
  for (const auto& [field, value] : want.attrs) {
    while (seen_it != have.attrs.end() && seen_it->first < field) ++seen_it;
    if (seen_it != have.attrs.end() && seen_it->first == field && seen_it->second == value) continue;
    FieldPolicy policy = platform.PolicyOfChange(want, have, field);
    if (policy == FieldPolicy::kIgnore) continue;
    fields.push_back(field);
    replace = replace || policy == FieldPolicy::kReplace;
  }
  if (have.ownership == Ownership::kMarked) fields.push_back("owner");  // finish a tag a crash interrupted
  if (fields.empty()) return std::nullopt;
  Change c{replace ? ChangeAction::kReplace : ChangeAction::kUpdate, have, std::nullopt, std::move(fields),
           replace ? "a field that cannot change in place differs" : "differs from the manifests", std::nullopt};
  if (c.fields == std::vector<std::string>{"owner"}) c.reason = "berth's mark has no details (interrupted creation)";
  return c;
}

Change Removal(const Platform& platform, const Resource& have, const std::set<std::string>& current,
               const std::set<std::string>& applied) {
  const std::string owner = platform.OwnerOf(have);
  Resource before = have;
  before.owner = owner;
  Change c{ChangeAction::kCollect, std::move(before), std::nullopt, {}, "", std::nullopt};
  if (have.ownership == Ownership::kMarked && owner.empty()) {
    c.reason = "leaked: berth's mark without details (interrupted creation)";
  } else if (!owner.empty() && !current.count(owner) && applied.count(owner)) {
    c.action = ChangeAction::kDelete;
    c.reason = owner + " is no longer in the manifests";
  } else if (!owner.empty() && !current.count(owner)) {
    c.reason = "leaked: tagged for " + owner + ", which berth never applied or no longer knows";
  } else if (!owner.empty() && applied.count(owner)) {
    // Applied before and still in the manifests: its manifest changed (a mode switch drops the VM's link), so
    // this is a removal the change asks for, not garbage.
    c.action = ChangeAction::kDelete;
    c.reason = "no longer wanted by " + owner + " (its manifest changed)";
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
void PropagateReplacements(const Platform& platform, Draft& draft) {
  std::vector<size_t> work;
  for (size_t i = 0; i < draft.entries.size(); ++i)
    if (draft.ActionOf(draft.entries[i]) == ChangeAction::kReplace) work.push_back(i);
  if (work.empty()) return;  // the common case: skip the dependency index (it dominates large plans)
  std::map<ResourceKey, std::vector<size_t>> dependents;  // key -> entries whose desired resource depends on it
  for (size_t i = 0; i < draft.entries.size(); ++i)
    if (const Entry& e = draft.entries[i]; e.want && e.have)
      for (const auto& dep : platform.DependenciesOf(**e.want)) dependents[dep].push_back(i);

  while (!work.empty()) {
    size_t i = work.back();
    work.pop_back();
    const ResourceKey replaced = draft.entries[i].key();
    for (size_t d : dependents[replaced]) {
      Entry& e = draft.entries[d];
      const ChangeAction action = draft.ActionOf(e);
      if (action != ChangeAction::kNoOp && action != ChangeAction::kUpdate) continue;
      Change& c = draft.Promote(e);
      c.action = ChangeAction::kReplace;
      c.reason = "replaced with " + replaced.ToString();
      work.push_back(d);
    }
  }
}

/// Objects inside a removed container go with it: removals get `removed_with`, and desired objects there are
/// recreated (create after the container's create).
void MarkContained(const Platform& platform, Draft& draft) {
  if (std::none_of(draft.changes.begin(), draft.changes.end(), [](const Change& c) { return Removes(c.action); }))
    return;
  auto& entries = draft.entries;
  // Entries are sorted by key: binary search instead of an index map (no allocation per entry).
  auto find = [&](const ResourceKey& key) -> const Entry* {
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [](const Entry& e, const ResourceKey& k) { return e.key() < k; });
    return it != entries.end() && it->key() == key ? &*it : nullptr;
  };
  auto removed_ancestor = [&](const Resource& r) -> std::optional<ResourceKey> {
    std::optional<ResourceKey> found;
    std::optional<ResourceKey> up = platform.ContainerOf(r);
    for (int depth = 0; up && depth < 8; ++depth) {
      const Entry* container = find(*up);
      if (!container || !container->have) break;
      if (Removes(draft.ActionOf(*container))) found = *up;  // keep climbing: the outermost one removes it
      up = platform.ContainerOf(*container->have);
    }
    return found;
  };
  for (Entry& e : entries) {
    if (!e.have) continue;
    auto container = removed_ancestor(*e.have);
    if (!container) continue;
    Change& c = draft.Promote(e);
    c.removed_with = *container;
    if (c.action == ChangeAction::kNoOp || c.action == ChangeAction::kUpdate || c.action == ChangeAction::kReplace) {
      c.action = ChangeAction::kCreate;
      c.reason = "recreated: it goes with " + container->ToString();
    }
  }
}

/// What a created container brings along (Platform::ComesWithContainer) is not created: it is an update from
/// the record it comes with, or no change at all when that record is already the desired one.
void FoldWhatComesWithContainers(const Platform& platform, Draft& draft) {
  auto& entries = draft.entries;
  auto find = [&](const ResourceKey& key) -> const Entry* {
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [](const Entry& e, const ResourceKey& k) { return e.key() < k; });
    return it != entries.end() && it->key() == key ? &*it : nullptr;
  };
  for (Entry& e : entries) {
    if (draft.ActionOf(e) != ChangeAction::kCreate || !e.want) continue;
    std::optional<Resource> initial = platform.ComesWithContainer(**e.want);
    if (!initial) continue;
    const std::optional<ResourceKey> up = platform.ContainerOf(**e.want);
    const Entry* container = up ? find(*up) : nullptr;
    const ChangeAction made = container ? draft.ActionOf(*container) : ChangeAction::kNoOp;
    if (made != ChangeAction::kCreate && made != ChangeAction::kReplace) continue;
    Change& c = draft.changes[e.change];
    std::optional<Change> update = Compare(platform, **e.want, *initial);
    draft.promoted = true;  // the changes are gathered entry by entry from here
    if (!update) {
      e.change = -1;  // the container brings it as wanted
      continue;
    }
    c.action = ChangeAction::kUpdate;
    c.before = std::move(initial);
    c.fields = std::move(update->fields);
    c.reason = "comes with " + up->ToString() + ", which the plan creates";
    c.removed_with.reset();
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
  if (after) return after->provenance.origin();
  if (before) return before->owner;
  return "";
}

ChangeSet ComputeDiff(const Platform& platform, DesiredState desired, const ObservedState& observed,
                      const ManifestIds& ids) {
  const std::set<std::string> current(ids.current.begin(), ids.current.end());
  const std::set<std::string> applied(ids.applied.begin(), ids.applied.end());
  std::vector<Conflict> host_conflicts;
  std::vector<Warning> warnings;
  platform.CheckHost(desired, observed, host_conflicts, warnings);

  Draft draft;
  // At most one entry and one change per key: reserving the bound costs address space only, while growing
  // would move every change already written (each doubling a fresh array of pages to fault in).
  draft.entries.reserve(desired.resources.size() + observed.resources.size());
  draft.changes.reserve(desired.resources.size() + observed.resources.size());
  auto d = desired.resources.begin(), de = desired.resources.end();
  auto o = observed.resources.begin(), oe = observed.resources.end();
  while (d != de || o != oe) {
    // One three-way comparison per pair of records (key comparisons were a tenth of a converged plan).
    const std::strong_ordering order = d == de ? std::strong_ordering::greater
                                       : o == oe ? std::strong_ordering::less
                                                 : (*d)->key <=> o->key;
    std::optional<Change> change;
    Entry entry;
    if (order < 0) {
      // The common case of a new host: the change is written in place, sharing the desired record.
      entry.want = &*d++;
      entry.change = int(draft.changes.size());
      Change& c = draft.changes.emplace_back();
      c.after = *entry.want;
      c.action = ChangeAction::kCreate;
      c.reason = "not on the host";
      draft.entries.push_back(entry);
      continue;
    } else if (order > 0) {
      entry.have = &*o++;
      if (entry.have->ownership == Ownership::kUnowned || platform.IsSetting(entry.have->key)) continue;
      change = Removal(platform, *entry.have, current, applied);
    } else {
      entry.want = &*d++;
      entry.have = &*o++;
      change = Compare(platform, **entry.want, *entry.have);
    }
    if (change) {
      entry.change = int(draft.changes.size());
      if (entry.want) change->after = *entry.want;
      draft.changes.push_back(std::move(*change));
    }
    draft.entries.push_back(entry);
  }
  PropagateReplacements(platform, draft);
  MarkContained(platform, draft);
  FoldWhatComesWithContainers(platform, draft);

  // The changes in key order.
  ChangeSet set;
  if (draft.promoted) set.changes.reserve(draft.changes.size());
  for (Entry& e : draft.entries) {
    if (e.change < 0) {
      ++set.unchanged;
      continue;
    }
    if (draft.promoted) set.changes.push_back(std::move(draft.changes[e.change]));
  }
  if (!draft.promoted) set.changes = std::move(draft.changes);
  for (auto& c : set.changes)
    if (c.action == ChangeAction::kConflict)
      set.conflicts.push_back({c.key(), c.key().ToString() + ": " + c.reason, c.after->provenance});
  // Every record a step will write is decoded by its kind's codec, so a malformed value fails the plan with its
  // manifest's file:line, not the apply. Records the host already holds need no step and no decoding (a
  // converged host of 10,000 VMs would decode 80,000 records for nothing).
  for (const auto& c : set.changes) {
    const bool writes = c.action == ChangeAction::kCreate || c.action == ChangeAction::kUpdate ||
                        c.action == ChangeAction::kReplace;
    if (writes && c.after)
      if (auto bad = platform.RecordError(*c.after))
        set.conflicts.push_back({c.key(), "malformed " + c.key().kind + ": " + *bad, c.after->provenance});
  }
  for (auto& c : host_conflicts) set.conflicts.push_back(std::move(c));
  set.warnings = std::move(warnings);
  return set;
}

}  // namespace berth::reconciler
