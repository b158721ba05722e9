// Result files for launchers: when a workload's network is converged and verified, berth writes NAME.json (its
// platform's LaunchRecord) into a directory other users' launchers may read, and removes it when it goes or breaks.
#pragma once

#include <set>
#include <string>

#include "model/result.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"

namespace berth::reconciler {

inline constexpr const char* kDefaultResultDir = "/run/berth-vms";

struct LaunchRecordOptions {
  std::string dir;        // NAME.json files (directory 0755, files 0644); not the private lock directory
  std::string scope_dir;  // passed to Platform::LaunchRecords (Linux: the named netns directory)
};

/// The workloads of `plan` (its manifest ids) that `after` shows converged: every create, update and replace
/// of theirs is there as wanted (ignored fields aside) and every deletion done; no conflict names them. Held-back
/// launches (no-op changes) do not count against a workload's network. Pure.
std::set<std::string> ConvergedWorkloads(const Platform& platform, const Plan& plan, const ObservedState& after);

/// Writes the record of every converged workload (only when its content changed, so a waiting launcher sees
/// one complete file) and removes every other NAME.json in `options.dir`: workloads that went, broke or are not
/// yet converged. `after` null (the re-observation failed): every workload the plan changes counts as broken.
/// The directory is made 0755 when missing; a symlink, a foreign owner or a group/other-writable directory is
/// refused. Call under the apply lock.
Status<> PublishLaunchRecords(const Platform& platform, const Plan& plan, const ObservedState* after,
                              const LaunchRecordOptions& options);

}  // namespace berth::reconciler
