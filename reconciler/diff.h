// The diff: desired against observed, one Change per resource key. Pure: no clock, no I/O, no logging.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reconciler/platform.h"
#include "reconciler/resource.h"
#include "reconciler/shared.h"

namespace berth::reconciler {

enum class ChangeAction {
  kNoOp,
  kCreate,
  kUpdate,    // in place
  kReplace,   // delete, then create
  kDelete,    // owned, no longer desired: its manifest resource was applied before and is gone now
  kCollect,   // owned, not desired and not attributable to a removed manifest resource: a leak
  kConflict,  // desired name held by an unowned object: reported, never acted on
};
const char* ToString(ChangeAction a);

struct Change {
  ChangeAction action = ChangeAction::kNoOp;
  Shared<Resource> before;          // observed (the change's own copy: a removal names its owner)
  Shared<Resource> after;           // desired; its steps share it
  std::vector<std::string> fields;  // attributes that differ (update and replace)
  std::string reason;               // for display only
  /// Set when the resource goes with its container (a netns) and needs no action of its own.
  Shared<ResourceKey> removed_with;

  /// The manifest resource this change is for: the desired origin, else the owner from the tag.
  std::string origin() const;
  /// The key of its records (a change always has one: desired, observed or both).
  const ResourceKey& key() const { return after ? after->key : before->key; }
};

/// A workload whose reach a plan widens (a platform's judgement, docs/plan-format.md `widens`): "VM/d1", its
/// reach before and after, and each widening item ("host +tcp/2222").
struct Widening {
  std::string workload;
  std::string before;
  std::string after;
  std::vector<std::string> items;
};

struct ChangeSet {
  std::vector<Change> changes;  // sorted by key; only keys that need something (a no-op appears only when a
                                // launch was held back: it carries the reason)
  size_t unchanged = 0;         // desired resources the host already matches
  std::vector<Conflict> conflicts;
  std::vector<Warning> warnings;
  std::vector<Widening> widens;  // sorted by workload; existing workloads only
};

/// The manifest resources that matter for removals: those of this run, and those berth applied before (the
/// state directory's inventory). An owned, undesired object whose owner was applied before and is no longer in
/// the manifests is deleted; any other owned, undesired object is a leak and is collected.
struct ManifestIds {
  std::vector<std::string> current;  // "VM/vm1", ...
  std::vector<std::string> applied;  // from earlier applies
};

/// Compares desired with observed.
ChangeSet ComputeDiff(const Platform& platform, DesiredState desired, const ObservedState& observed,
                      const ManifestIds& ids);

}  // namespace berth::reconciler
