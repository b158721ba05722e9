// The node controller's reconcile pass (berth watch): level-triggered — every pass re-observes the host and
// plans from scratch; events only decide when a pass runs. Keeps the last good manifests, per-resource
// exponential backoff, and a grace period before collecting objects created moments ago.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/change_feed.h"
#include "reconciler/driver.h"
#include "reconciler/launch_records.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"
#include "reconciler/state_dir.h"

namespace berth::reconciler {

struct ControllerOptions {
  MassDeleteGuard guard;
  std::chrono::milliseconds gc_grace{30'000};  // leaks younger than this (by their tag's creation time) wait
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_cap{300'000};
  int parallelism = 0;
  std::optional<LaunchRecordOptions> launch_records;  // the launchers' result files; nullopt: none
};

/// The clocks a pass needs, passed in so tests control time.
struct PassClock {
  std::chrono::steady_clock::time_point steady;
  std::chrono::system_clock::time_point wall;  // compared with the creation times in ownership tags
  static PassClock Now() { return {std::chrono::steady_clock::now(), std::chrono::system_clock::now()}; }
};

struct PassReport {
  bool observed = false;            // false: the host could not be read; nothing else happened
  bool converged = false;           // nothing left to do, nothing deferred, everything verified
  std::optional<std::string> refusal;  // the mass-deletion guard (or a host-wide conflict) stopped the pass
  int applied = 0, failed = 0, skipped = 0, deferred = 0;  // deferred: in backoff or within the grace period
  int repairs = 0;                  // creates/updates/replaces of objects of unchanged manifest resources
  int collected = 0;                // leaks removed
  std::vector<std::string> errors;  // failures, conflicts and verification mismatches, with provenance
  /// When a pass should run again even without events (a backoff or a grace period ends).
  std::optional<std::chrono::steady_clock::time_point> retry_at;
  std::map<std::string, int> owned_by_kind;  // after the pass, for metrics
};

class Controller {
 public:
  Controller(const Platform& platform, Driver& driver, StateDir state_dir, ControllerOptions options);

  /// The desired state from now on (already validated). Clears terminal failures: the manifests changed.
  void SetManifest(model::Manifest manifest);
  bool has_manifest() const { return manifest_.has_value(); }

  /// One reconcile pass. `cancelled` is polled before each driver batch starts (SIGTERM: finish what is in flight).
  /// `changes`: where a change feed saw the host change since the previous pass, so the driver may read only
  /// there; nullopt reads the whole host (the first pass, a resync).
  PassReport Pass(const PassClock& clock, const std::function<bool()>& cancelled = {},
                  const std::optional<HostChanges>& changes = std::nullopt);

 private:
  struct Backoff {
    int failures = 0;
    std::chrono::steady_clock::time_point until;
    bool terminal = false;  // retrying cannot help; waits for a manifest change
  };
  /// Step ids to leave out of this pass (with everything below them), counting why.
  std::vector<int> Deferred(const Plan& plan, const PassClock& clock, PassReport& report) const;
  void BookResults(const Plan& plan, const struct ExecuteReport& exec, const PassClock& clock, PassReport& report);

  const Platform& platform_;
  Driver& driver_;
  StateDir state_dir_;
  ControllerOptions options_;
  std::optional<model::Manifest> manifest_;
  bool manifest_changed_ = true;
  std::map<ResourceKey, Backoff> backoff_;
};

/// The plan without the given steps and every step that depends on them, renumbered. Pure.
Plan WithoutSteps(const Plan& plan, const std::vector<int>& drop);

/// Parses an RFC 3339 UTC time as written in ownership tags ("2026-11-23T07:40:00Z").
std::optional<std::chrono::system_clock::time_point> ParseTagTime(const std::string& text);
std::string FormatTagTime(std::chrono::system_clock::time_point t);

}  // namespace berth::reconciler
