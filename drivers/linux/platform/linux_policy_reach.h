// A VM's reach read back from its observed rule group (nft:/vm/NAME), the inverse of AddVmPolicy: what
// `berth show` reports and what `berth plan` compares with the manifests' reach to find widenings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/policy.h"
#include "reconciler/diff.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

/// The policy a VM's rule group enforces; nullopt when the group has no policy chains (an older berth's).
/// Runs of CIDRs that make up a named set are read back as that set.
std::optional<model::EffectivePolicy> ReachFromGroup(const Resource& group);

/// A VM whose reach a change widens: "VM/d1", the reach lines before and after, and what widens.
using ReachWidening = Widening;
/// The widenings of a plan's changes to existing VM rule groups (new VMs are not listed), sorted by VM.
std::vector<ReachWidening> ReachWidenings(const ChangeSet& changes);

}  // namespace berth::reconciler::linux_res
