// RecheckSavedPlan: decode every desired record, rebuild the desired state, re-plan on the host as it is now,
// and accept the file only when its steps are the re-plan's.
#include "reconciler/saved_plan.h"

#include <algorithm>
#include <map>
#include <set>

#include "reconciler/diff.h"

namespace berth::reconciler {
namespace {

std::string StepName(const Step& s) {
  return "step " + std::to_string(s.id) + " (" + ToString(s.op) + " " + s.key().ToString() + ")";
}

/// Why a file's step is not berth's to run on `now`, for the most telling cases; empty for any other difference.
std::string WhyNot(const Platform& platform, const Step& step, const ObservedState& now) {
  const Resource* seen = now.Find(step.key());
  const std::string key = step.key().ToString();
  if (step.op == Op::kCreate && seen && seen->ownership == Ownership::kUnowned && !platform.IsSetting(step.key()))
    return key + " exists on this host and is not berth's; berth never takes over what it does not own";
  if (step.op == Op::kCreate) return "";
  if (!seen) return key + " does not exist on this host";
  if (seen->ownership == Ownership::kUnowned && !platform.IsSetting(step.key()))
    return key + " is not berth's on this host (unowned); berth never changes or deletes it";
  if (step.op == Op::kDelete && platform.IsSetting(step.key()))
    return key + " is a host setting berth turns on but never deletes";
  return "";
}

bool SameStep(const Step& a, const Step& b) {
  if (a.op != b.op || a.key() != b.key() || a.fields != b.fields || a.depends_on != b.depends_on) return false;
  // A deletion acts on the record observed now (the re-plan's); a creation or update sets the file's values.
  return a.op == Op::kDelete || a.resource->attrs == b.resource->attrs;
}

}  // namespace

Result<Plan> RecheckSavedPlan(const Platform& platform, const Plan& saved, ObservedState now,
                              const SavedPlanCheck& check) {
  if (saved.platform != platform.name())
    return Fail("the saved plan is for platform \"" + saved.platform + "\", not \"" + platform.name() + "\"");

  // 1. Every desired record decodes in the platform's grammar.
  for (const Step& s : saved.steps)
    if (s.op != Op::kDelete)
      if (auto bad = platform.RecordError(s.resource)) return Fail(StepName(s) + ": malformed " + s.key().kind + ": " + *bad);
  std::map<ResourceKey, const Change*> changed;
  for (size_t i = 0; i < saved.changes.changes.size(); ++i) {
    const Change& c = saved.changes.changes[i];
    const std::string name = "change " + std::to_string(i) + " (" + ToString(c.action) + " " + c.key().ToString() + ")";
    if (c.before && c.after && c.before->key != c.after->key) return Fail(name + ": its records name different keys");
    if (!changed.emplace(c.key(), &c).second) return Fail(name + ": the key is listed twice");
    if (c.after)
      if (auto bad = platform.RecordError(*c.after)) return Fail(name + ": malformed " + c.key().kind + ": " + *bad);
    const bool removes = c.action == ChangeAction::kDelete || c.action == ChangeAction::kCollect;
    if (removes == bool(c.after)) return Fail(name + ": a " + ToString(c.action) + (removes ? " has a desired record" : " lacks its desired record"));
  }

  // Ownership as observed now, whatever the file says: the most telling refusal comes first.
  std::set<ResourceKey> created;  // an update after the file's own create (held-back attributes) acts on that
  for (const Step& s : saved.steps) {
    if (s.op == Op::kCreate) created.insert(s.key());
    if (s.op != Op::kCreate && created.count(s.key())) continue;
    // What a container the file creates brings along (its netns's lo) is updated without existing yet.
    if (auto container = platform.ContainerOf(*s.resource); s.op == Op::kUpdate && !now.Find(s.key()) && container &&
                                                          created.count(*container) && platform.ComesWithContainer(*s.resource))
      continue;
    if (std::string why = WhyNot(platform, s, now); !why.empty()) return Fail(StepName(s) + ": " + why);
  }

  // 2. The desired state: the file's records where it changes something, what berth owns now elsewhere.
  DesiredState desired;
  for (const auto& [key, c] : changed)
    if (c->after) {
      Resource r = *c->after;
      r.ownership = Ownership::kOwned;
      r.owner.clear();
      desired.resources.push_back(std::move(r));
    }
  for (const Resource& r : now.resources) {
    if (r.ownership == Ownership::kUnowned || platform.IsSetting(r.key) || changed.count(r.key)) continue;
    Resource keep = r;
    keep.ownership = Ownership::kOwned;
    keep.owner.clear();
    desired.resources.push_back(std::move(keep));
  }
  std::sort(desired.resources.begin(), desired.resources.end(),
            [](const Shared<Resource>& a, const Shared<Resource>& b) { return a->key < b->key; });

  // 3. Plan again on the host as it is now, with apply's guard.
  ManifestIds ids{saved.manifest_ids, check.applied_ids};
  ChangeSet changes = ComputeDiff(platform, std::move(desired), now, ids);
  platform.HoldBlocked(changes, now.facts);
  platform.NoteWidenings(changes);
  auto plan = BuildPlan(platform, std::move(changes), std::move(now));
  if (!plan) return plan;
  plan->platform = platform.name();
  plan->allocations = saved.allocations;
  plan->manifest_ids = saved.manifest_ids;
  CheckMassDeletion(platform, check.guard, *plan);
  if (!plan->changes.conflicts.empty()) {
    const Conflict& first = plan->changes.conflicts.front();
    std::string more = plan->changes.conflicts.size() > 1
                           ? " (and " + std::to_string(plan->changes.conflicts.size() - 1) + " more)" : "";
    return Fail("the plan conflicts with the host now: " + first.message + more);
  }
  if (plan->refusal) return Fail(*plan->refusal);

  // 4. The file's steps are exactly berth's.
  const size_t n = std::min(saved.steps.size(), plan->steps.size());
  for (size_t i = 0; i <= n; ++i) {
    const bool file_has = i < saved.steps.size(), berth_has = i < plan->steps.size();
    if (!file_has && !berth_has) break;
    if (file_has && berth_has && SameStep(saved.steps[i], plan->steps[i])) continue;
    if (file_has) {
      const Step& s = saved.steps[i];
      return Fail(StepName(s) + ": " +
                  (berth_has ? "berth would run " + StepName(plan->steps[i]) + " here on this host now"
                             : "berth would run no such step on this host now"));
    }
    return Fail("the plan lacks " + StepName(plan->steps[i]) + ", which berth would run on this host now");
  }
  return plan;
}

}  // namespace berth::reconciler
