// berth validate, berth plan and berth graph: read-only commands.
#include <fstream>
#include <iostream>

#include "cli/options.h"
#include "cli/session.h"
#include "reconciler/plan_json.h"
#include "reconciler/render.h"

namespace berth::cli {

int RunValidate(const Options& o) {
  if (o.files.empty()) {
    std::cerr << "berth: no manifests given; pass files or directories with -f\n";
    return kExitError;
  }
  model::LoadOptions options;
  options.node = o.node;
  options.allow_unsafe_paths = o.allow_unsafe_manifests;
  if (o.platform_given) options.platform = o.platform;
  auto loaded = model::LoadManifests(o.files, options);
  const bool json = o.output == "json";
  PrintDiagnostics(loaded.diagnostics, json);
  if (model::HasErrors(loaded.diagnostics)) {
    if (!json) std::cerr << "berth: " << loaded.diagnostics.size() << " problem(s) in " << loaded.files.size() << " file(s)\n";
    return kExitError;
  }
  if (!json) {
    std::cout << "Valid: " << loaded.manifest.size() << " resource(s) in " << loaded.files.size() << " file(s) ("
              << loaded.manifest.bridges.size() << " Bridge, " << loaded.manifest.nats.size() << " NAT, "
              << loaded.manifest.vms.size() << " VM, " << loaded.manifest.jails.size() << " Jail)";
    if (o.node) {
      std::cout << " for node \"" << *o.node << "\"; " << loaded.filtered_out << " document(s) for other nodes left out";
    } else if (!loaded.nodes.empty()) {
      // Each node sees the shared documents and its own: a plan on one host plans only that node's view.
      std::cout << "; checked as each of " << loaded.nodes.size() << " node(s) sees them (";
      for (size_t i = 0; i < loaded.nodes.size(); ++i) std::cout << (i ? ", " : "") << loaded.nodes[i];
      std::cout << "): a plan on a host keeps its own node's documents (--node NAME, default: the host name)";
    }
    if (o.platform_given) std::cout << "; platform " << o.platform;
    std::cout << "\n";
  }
  return kExitOk;
}

int RunPlan(const Options& o) {
  Session s(o);
  s.PrefetchObservation();
  if (!s.LoadManifests() || !s.Allocate()) return kExitError;
  auto plan = s.MakePlan(/*destroy=*/false);
  if (!plan) return kExitError;
  if (o.out_file) {
    std::ofstream out(*o.out_file);
    out << reconciler::PlanToJson(*plan).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!out) {
      std::cerr << "berth: cannot write " << *o.out_file << "\n";
      return kExitError;
    }
  }
  if (o.output == "json") {
    std::cout << reconciler::PlanToJson(*plan).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    reconciler::RenderOptions render{s.color(), false};
    render.show_commands = o.show_commands;
    render.recorded = &s.recorded();
    std::cout << reconciler::RenderPlanText(*plan, render);
    if (o.out_file) std::cout << "Saved the plan to " << *o.out_file << "; apply it with: berth apply " << *o.out_file << "\n";
  }
  if (!plan->changes.conflicts.empty() || plan->refusal) return kExitError;
  if (o.detailed_exitcode && plan->HasWork()) return kExitChanges;
  return kExitOk;
}

int RunGraph(const Options& o) {
  Session s(o);
  s.PrefetchObservation();
  if (!s.LoadManifests() || !s.Allocate()) return kExitError;
  auto plan = s.MakePlan(/*destroy=*/false);
  if (!plan) return kExitError;
  std::cout << reconciler::RenderPlanDot(*plan);
  return kExitOk;
}

}  // namespace berth::cli
