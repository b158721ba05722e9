// The diff: desired against observed, one Change per resource key. Pure: no clock, no I/O, no logging.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reconciler/platform.h"
#include "reconciler/resource.h"

namespace berth::reconciler {

enum class ChangeAction {
  kNoOp,
  kCreate,
  kUpdate,    // in place
  kReplace,   // delete, then create
  kDelete,    // owned, no longer desired, its manifest resource is gone from the manifests
  kCollect,   // owned, not desired and not attributable to a removed manifest resource: a leak
  kConflict,  // desired name held by an unowned object: reported, never acted on
};
const char* ToString(ChangeAction a);

struct Change {
  ResourceKey key;
  ChangeAction action = ChangeAction::kNoOp;
  std::optional<Resource> before;   // observed
  std::optional<Resource> after;    // desired
  std::vector<std::string> fields;  // attributes that differ (update and replace)
  std::string reason;               // for display only
  /// Set when the resource goes with its container (a netns) and needs no action of its own.
  std::optional<ResourceKey> removed_with;

  /// The manifest resource this change is for: the desired origin, else the owner from the tag.
  std::string origin() const;
};

struct ChangeSet {
  std::vector<Change> changes;  // sorted by key; no-ops included
  std::vector<Conflict> conflicts;
  std::vector<Warning> warnings;
};

/// Compares desired with observed. `manifest_ids` are the manifest resources of this run ("VM/vm1"): an owned,
/// undesired object whose owner is not among them is deleted; otherwise it is collected as a leak.
ChangeSet ComputeDiff(const Platform& platform, const DesiredState& desired, const ObservedState& observed,
                      const std::vector<std::string>& manifest_ids);

}  // namespace berth::reconciler
