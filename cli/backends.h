// One row per platform berth can drive: its pure platform part, its host driver, change feed, plan explainer
// and show describer. Every subcommand picks its row once, by --platform; nothing else compares the name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/options.h"
#include "model/result.h"
#include "reconciler/change_feed.h"
#include "reconciler/driver.h"
#include "reconciler/ipam.h"
#include "reconciler/plan.h"
#include "reconciler/platform.h"

namespace berth::cli {

struct Backend {
  std::string_view name;  // "linux", "freebsd": --platform, Plan::platform, Capabilities::platform
  std::unique_ptr<reconciler::Platform> (*make_platform)();
  /// The host's driver for these options; null when this build or machine has none. Errors (a simulated
  /// host's unreadable file) are printed to stderr.
  std::unique_ptr<reconciler::Driver> (*make_driver)(const Options& o);
  /// Change notifications for berth watch; null when the platform offers none on this machine.
  std::unique_ptr<reconciler::ChangeFeed> (*make_change_feed)(const Options& o);
  /// Fills what each step will run on the host (FreeBSD: each command's argv); null: nothing to fill.
  Status<> (*explain_plan)(reconciler::Plan& plan);
  /// berth show's per-workload part ("vms" on Linux, "jails" on FreeBSD), added to `out`.
  void (*describe)(const reconciler::ObservedState& observed, const reconciler::Allocations& allocations,
                   const Options& o, nlohmann::json& out);
  /// After destroy: puts host settings berth changed back to the values it found ("net.ipv4.ip_forward = 0"
  /// per setting restored); null: the platform changes none.
  Result<std::vector<std::string>> (*restore_host_settings)(const Options& o) = nullptr;
};

/// The row named `name`; null for a platform this build does not know.
const Backend* FindBackend(std::string_view name);
/// "linux, freebsd": for messages.
std::string BackendNames();

}  // namespace berth::cli
