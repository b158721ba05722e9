// Session: the shared front half of every subcommand.
#include "cli/session.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/log_setup.h"
#include "cli/observed_context.h"
#include "reconciler/planner.h"
#include "reconciler/plan_json.h"

namespace berth::cli {

void PrintDiagnostics(const model::Diagnostics& ds, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : ds)
      out.push_back({{"severity", d.severity == model::Severity::kError ? "error" : "warning"},
                     {"code", d.code},
                     {"field", d.field},
                     {"message", d.summary},
                     {"detail", d.detail},
                     {"file", d.span.file},
                     {"line", d.span.line},
                     {"column", d.span.column}});
    std::cout << nlohmann::json{{"valid", !model::HasErrors(ds)}, {"diagnostics", out}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  for (const auto& d : ds) std::cerr << d.ToString() << "\n";
}

namespace {
double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

Session::Session(const Options& o) : o_(o), state_dir_(o.state_dir) {
  color_ = ColorWanted(o, STDOUT_FILENO);
  backend_ = FindBackend(o.platform);
  if (backend_) platform_ = backend_->make_platform();
}

bool Session::LoadManifests() {
  if (!platform_) {
    std::cerr << "berth: platform \"" << o_.platform << "\" is not supported by this build (supported: "
              << BackendNames() << ")\n";
    return false;
  }
  if (o_.files.empty()) {
    std::cerr << "berth: no manifests given; pass files or directories with -f\n";
    return false;
  }
  model::LoadOptions options;
  options.node = o_.node;
  options.allow_unsafe_paths = o_.allow_unsafe_manifests;
  options.platform = o_.platform;
  const auto start = std::chrono::steady_clock::now();
  loaded_ = model::LoadManifests(o_.files, options);
  spdlog::debug("loaded {} manifest resources in {:.1f} ms", loaded_.manifest.vms.size() + loaded_.manifest.bridges.size() +
                                                                 loaded_.manifest.nats.size() + loaded_.manifest.jails.size(),
                MsSince(start));
  PrintDiagnostics(loaded_.diagnostics, false);
  ReportNodeSelection(o_, loaded_.filtered_out, loaded_.documents);
  if (model::HasErrors(loaded_.diagnostics)) {
    std::cerr << "berth: the manifests are invalid; nothing was changed\n";
    return false;
  }
  return true;
}

bool Session::Allocate() {
  auto persisted = state_dir_.LoadAllocations();
  if (!persisted) {
    std::cerr << "berth: " << persisted.error().message << "\n";
    return false;
  }
  recorded_ = *persisted;
  auto result = reconciler::Allocate(loaded_.manifest, *persisted);
  PrintDiagnostics(result.diagnostics, false);
  if (model::HasErrors(result.diagnostics)) return false;
  allocations_ = std::move(result.allocations);
  return true;
}

std::unique_ptr<reconciler::ChangeFeed> Session::MakeChangeFeed() const {
  return backend_ ? backend_->make_change_feed(o_) : nullptr;
}

reconciler::Driver* Session::driver() {
  if (driver_ || !backend_) return driver_.get();
  driver_ = backend_->make_driver(o_);
  if (driver_ && driver_->capabilities().platform != backend_->name) {
    // A wiring mistake, not a user's: a platform's plan must never reach another platform's driver.
    std::cerr << "berth: the " << backend_->name << " backend made a " << driver_->capabilities().platform
              << " driver; refusing to use it\n";
    driver_.reset();
  }
  return driver_.get();
}

void Session::PrefetchObservation() {
  if (prefetched_.valid()) return;
  driver();  // made here: the driver is not built concurrently with other calls on this session
  prefetched_ = std::async(std::launch::async, [this] { return ObserveNow(/*launch_facts=*/false); });
}

std::optional<reconciler::ObservedState> Session::Observe(bool launch_facts) {
  const auto start = std::chrono::steady_clock::now();
  if (!prefetched_.valid()) return ObserveNow(launch_facts);
  auto observed = prefetched_.get();
  spdlog::debug("observation ready after {:.1f} ms more", MsSince(start));
  if (observed && launch_facts && !o_.observed_file) {  // a saved observation has its facts
    auto facts = driver()->LaunchFacts();
    if (!facts) {
      std::cerr << "berth: observing the host failed: " << facts.error().ToString() << "\n";
      return std::nullopt;
    }
    observed->facts.launch_blockers = std::move(*facts);
  }
  return observed;
}

std::optional<reconciler::ObservedState> Session::ObserveNow(bool launch_facts) {
  if (o_.observed_file) {
    std::ifstream in(*o_.observed_file);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!in || j.is_discarded()) {
      std::cerr << "berth: " << *o_.observed_file << ": not a JSON observation (write one with berth show -o json)\n";
      return std::nullopt;
    }
    auto observed = reconciler::ObservedFromJson(j.contains("observed") ? j["observed"] : j);
    if (!observed) {
      std::cerr << "berth: " << *o_.observed_file << ": " << observed.error().message << "\n";
      return std::nullopt;
    }
    return std::move(*observed);
  }
  reconciler::Driver* d = driver();
  if (!d) {
    std::cerr << "berth: no " << o_.platform << " driver on this machine; plan against a saved observation with "
              << "--observed FILE\n";
    return std::nullopt;
  }
  reconciler::ObserveRequest request;
  request.launch_facts = launch_facts;
  auto observed = d->Observe(request);
  if (!observed) {
    std::cerr << "berth: observing the host failed: " << observed.error().ToString() << "\n";
    return std::nullopt;
  }
  return std::move(*observed);
}

std::optional<reconciler::Plan> Session::MakePlan(bool destroy) {
  auto observed = Observe(/*launch_facts=*/!destroy && loaded_.manifest.LaunchesVms());
  if (!observed) return std::nullopt;
  reconciler::PlanInput input;
  input.manifest = destroy ? nullptr : &loaded_.manifest;
  input.allocations = allocations_;
  input.observed = std::move(*observed);
  input.guard = reconciler::MassDeleteGuard{o_.max_delete_share, o_.allow_mass_delete};
  input.destroy = destroy;
  auto inventory = state_dir_.LoadInventory();
  if (!inventory) {
    std::cerr << "berth: " << inventory.error().message << "\n";
    return std::nullopt;
  }
  input.applied_ids = std::move(*inventory);
  const auto start = std::chrono::steady_clock::now();
  auto plan = reconciler::MakePlan(*platform_, std::move(input));
  spdlog::debug("planned in {:.1f} ms", MsSince(start));
  if (!plan) {
    std::cerr << "berth: " << plan.error().message << "\n";
    return std::nullopt;
  }
  if (backend_->explain_plan) {
    // Every step carries what its driver will run (FreeBSD: the exact argv), so the plan says precisely what
    // happens.
    if (auto explained = backend_->explain_plan(*plan); !explained) {
      std::cerr << "berth: " << explained.error().message << "\n";
      return std::nullopt;
    }
  }
  return std::move(*plan);
}

}  // namespace berth::cli
