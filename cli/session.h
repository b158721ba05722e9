// What every subcommand needs before it can act: validated manifests, allocations, the platform, a driver
// (or a saved observation) and a plan. Each step reports its own errors to stderr and returns nullopt.
#pragma once

#include <future>
#include <memory>
#include <optional>

#include "cli/backends.h"
#include "cli/options.h"
#include "model/load.h"
#include "reconciler/change_feed.h"
#include "reconciler/driver.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"
#include "reconciler/state_dir.h"

namespace berth::cli {

class Session {
 public:
  explicit Session(const Options& o);

  /// Loads and validates the manifests; prints every diagnostic. False when any is an error.
  bool LoadManifests();
  /// Allocates addresses and MACs against the state directory's record. False on error.
  bool Allocate();
  /// The host's state: from --observed FILE, else from the platform's driver. The first call after
  /// PrefetchObservation returns that observation. `launch_facts`: whether HostFacts::launch_blockers must be
  /// there (reconciler::ObserveRequest::launch_facts); without, the driver may leave them out.
  std::optional<reconciler::ObservedState> Observe(bool launch_facts = true);
  /// Starts observing on another thread, so reading the host overlaps loading the manifests (both take tens
  /// of milliseconds at hundreds of VMs, and neither needs the other). Observing changes nothing. The launch
  /// facts are left for Observe to add when asked: before the manifests are read, whether a VM launches (and
  /// so whether KVM must be probed, up to 2 s) is not known.
  void PrefetchObservation();
  /// The plan for the loaded manifests (or, with destroy, for removing everything owned).
  std::optional<reconciler::Plan> MakePlan(bool destroy);

  reconciler::Driver* driver();  // null when the platform has no driver on this machine
  /// The host's change notifications for berth watch; null when the platform offers none.
  std::unique_ptr<reconciler::ChangeFeed> MakeChangeFeed() const;
  const reconciler::Platform& platform() const { return *platform_; }
  /// The --platform row of the backend table; null when this build does not know the platform.
  const Backend* backend() const { return backend_; }
  const model::Manifest& manifest() const { return loaded_.manifest; }
  const reconciler::Allocations& allocations() const { return allocations_; }
  /// The allocations the state directory held before Allocate (what was applied last).
  const reconciler::Allocations& recorded() const { return recorded_; }
  const reconciler::StateDir& state_dir() const { return state_dir_; }
  bool color() const { return color_; }

 private:
  std::optional<reconciler::ObservedState> ObserveNow(bool launch_facts);

  const Options& o_;
  const Backend* backend_ = nullptr;
  std::unique_ptr<reconciler::Platform> platform_;
  std::unique_ptr<reconciler::Driver> driver_;
  model::LoadResult loaded_;
  reconciler::Allocations allocations_;
  reconciler::Allocations recorded_;
  reconciler::StateDir state_dir_;
  bool color_ = false;
  std::future<std::optional<reconciler::ObservedState>> prefetched_;
};

/// Prints diagnostics as "file:line:column: error: field: message", or as JSON with --output json.
void PrintDiagnostics(const model::Diagnostics& ds, bool json);

}  // namespace berth::cli
