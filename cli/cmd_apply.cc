// berth apply [FILE] and berth destroy: take the lock, then the core's apply transaction (ApplyPlan).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/backends.h"
#include "cli/options.h"
#include "cli/session.h"
#include "reconciler/apply.h"
#include "reconciler/launch_records.h"
#include "reconciler/plan_json.h"
#include "reconciler/planner.h"
#include "reconciler/render.h"
#include "reconciler/saved_plan.h"

namespace berth::cli {
namespace {

constexpr int kVerifyAttempts = 5;  // the kernel may take a moment to release devices of a deleted netns
constexpr auto kVerifyPause = std::chrono::milliseconds(200);

std::optional<reconciler::Plan> ReadSavedPlan(const std::string& path) {
  std::ifstream in(path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!in || j.is_discarded()) {
    std::cerr << "berth: " << path << ": not a saved plan (write one with berth plan --out FILE)\n";
    return std::nullopt;
  }
  auto plan = reconciler::PlanFromJson(j);
  if (!plan) {
    std::cerr << "berth: " << path << ": " << plan.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*plan);
}

/// The result files' place; nullopt with --result-dir "".
std::optional<reconciler::LaunchRecordOptions> LaunchRecordOptionsOf(const Options& o) {
  if (o.result_dir.empty()) return std::nullopt;
  return reconciler::LaunchRecordOptions{o.result_dir, o.netns_dir};
}

/// A saved plan is input, not trusted code (reconciler/saved_plan.h): the plan run is berth's own re-plan on the
/// host as observed now, and the file is refused unless it is that plan step for step.
std::optional<reconciler::Plan> RecheckSavedPlan(Session& s, const Options& o, const reconciler::Plan& saved,
                                                 reconciler::ObservedState now) {
  auto refuse = [&](const std::string& why) {
    std::cerr << "berth: " << *o.plan_file << ": refused: " << why << "; nothing was changed\n";
    return std::nullopt;
  };
  auto inventory = s.state_dir().LoadInventory();
  if (!inventory) return refuse(inventory.error().message);
  reconciler::SavedPlanCheck check{{o.max_delete_share, o.allow_mass_delete}, std::move(*inventory)};
  auto plan = reconciler::RecheckSavedPlan(s.platform(), saved, std::move(now), check);
  if (!plan) return refuse(plan.error().message);
  if (s.backend() && s.backend()->explain_plan) {
    if (auto explained = s.backend()->explain_plan(*plan); !explained) return refuse(explained.error().message);
    for (size_t i = 0; i < plan->steps.size(); ++i)
      if (plan->steps[i].commands != saved.steps[i].commands)
        return refuse("step " + std::to_string(i) + ": its commands are not the ones berth runs for it");
  }
  return std::move(*plan);
}

int Execute(Session& s, const Options& o, const reconciler::Plan& plan, bool printed = false) {
  if (!printed) {
    reconciler::RenderOptions render{s.color(), false};
    render.recorded = &s.recorded();
    std::cout << reconciler::RenderPlanText(plan, render);
  }
  if (!plan.changes.conflicts.empty()) {
    std::cerr << "berth: the plan has conflicts; nothing was changed\n";
    return kExitError;
  }
  if (plan.refusal) {
    std::cerr << "berth: " << *plan.refusal << "\n";
    return kExitError;
  }
  const auto records = LaunchRecordOptionsOf(o);
  if (!plan.HasWork()) {
    // Nothing to change on the host, but an allocation may have moved (a full-mode VM's fixed address has no
    // footprint on the host): berth show must report the address the guest is to boot with.
    if (auto saved = s.state_dir().RecordAllocations(plan.allocations); !saved) {
      std::cerr << "berth: " << saved.error().message << "\n";
      return kExitError;
    }
    // Converged already: the records follow the host as the plan observed it (written if missing).
    if (records)
      if (auto published = reconciler::PublishLaunchRecords(s.platform(), plan, &plan.basis, *records); !published) {
        std::cerr << "berth: " << published.error().message << "\n";
        return kExitError;
      }
    return kExitOk;
  }
  reconciler::ApplyOptions options;
  options.launch_records = records;
  options.verify = {kVerifyAttempts, kVerifyPause};
  options.execute.parallelism = o.parallelism;
  options.execute.on_step = [&](const reconciler::Step& step, const reconciler::StepReport& r) {
    if (r.outcome == reconciler::StepOutcome::kDone) {
      if (o.verbose) std::cout << "  done    " << ToString(step.op) << " " << step.key().ToString() << "\n";
    } else if (r.outcome == reconciler::StepOutcome::kFailed) {
      std::cout << "  FAILED  " << ToString(step.op) << " " << step.key().ToString() << ": "
                << (r.error ? r.error->ToString() : "unknown error") << " [" << step.provenance.origin();
      if (step.provenance.span().known()) std::cout << " at " << step.provenance.span().ToString();
      std::cout << "]\n";
    } else if (r.outcome == reconciler::StepOutcome::kSkipped) {
      std::cout << "  skipped " << ToString(step.op) << " " << step.key().ToString() << " (after a failure upstream)\n";
    }
  };
  options.on_executed = [&plan](const reconciler::ExecuteReport& report) {
    std::cout << reconciler::RenderApplied(plan, report.done, report.failed, report.skipped) << "\n";
  };
  auto report = reconciler::ApplyPlan(s.platform(), plan, *s.driver(), s.state_dir(), options);
  if (report.refusal) {
    std::cerr << "berth: " << *report.refusal << "\n";
    return kExitError;
  }
  if (report.records_error) std::cerr << "berth: " << *report.records_error << "\n";
  if (!report.exec.ok()) return kExitError;
  for (const auto& m : report.mismatches) std::cerr << "berth: verification: " << m << "\n";
  if (!report.verified) return kExitError;
  if (report.inventory_error) std::cerr << "berth: " << *report.inventory_error << "\n";
  if (report.records_error) return kExitError;  // printed above
  std::cout << "Verified: the host matches the plan.\n";
  return kExitOk;
}

std::optional<reconciler::ApplyLock> Lock(const Options& o, const char* command) {
  // Clamped before the conversion: 1e30 seconds overflows milliseconds (undefined, and in practice "give up at
  // once"); a year is as good as forever here. NaN and negatives are refused by the option's check.
  constexpr double kMaxWaitSeconds = 365.0 * 24 * 3600;
  const double wait = std::isfinite(o.lock_timeout) ? std::clamp(o.lock_timeout, 0.0, kMaxWaitSeconds)
                                                    : kMaxWaitSeconds;
  auto lock = reconciler::ApplyLock::Acquire(o.lock_dir,
                                             "pid " + std::to_string(::getpid()) + " berth " + command,
                                             std::chrono::milliseconds(static_cast<long long>(wait * 1000)));
  if (!lock) {
    std::cerr << "berth: " << lock.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*lock);
}

/// Destroy removes every workload berth owns, so it is confirmed like Terraform's: "yes" typed on a terminal,
/// or --auto-approve. Without a terminal and without the flag it refuses: a script must say so explicitly.
/// This confirmation is destroy's mass-deletion guard (removing everything is what destroy is for).
bool ConfirmDestroy(const Options& o, const reconciler::Plan& plan) {
  if (o.auto_approve) return true;
  if (::isatty(STDIN_FILENO) != 1) {
    std::cerr << "berth: destroy would remove " << plan.steps.size()
              << " object(s) berth owns; confirm on a terminal, or pass --auto-approve (scripts); nothing was "
                 "changed\n";
    return false;
  }
  std::cout << "\nDestroy everything berth owns on this host (" << plan.steps.size()
            << " step(s) above)? Only 'yes' will be accepted: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "yes") return true;
  std::cerr << "berth: destroy cancelled; nothing was changed\n";
  return false;
}

/// Host settings berth changed (sysctls such as net.ipv4.ip_forward) go back to the values it found.
bool RestoreHostSettings(Session& s, const Options& o) {
  if (!s.backend() || !s.backend()->restore_host_settings) return true;
  auto restored = s.backend()->restore_host_settings(o);
  if (!restored) {
    std::cerr << "berth: " << restored.error().message << "\n";
    return false;
  }
  for (const auto& line : *restored) std::cout << "Restored " << line << "\n";
  return true;
}

}  // namespace

int RunApply(const Options& o) {
  Session s(o);
  if (!s.driver()) {
    std::cerr << "berth: no " << o.platform << " driver on this machine; apply runs on the node itself\n";
    return kExitError;
  }
  auto lock = Lock(o, "apply");
  if (!lock) return kExitError;
  if (o.plan_file) {
    auto plan = ReadSavedPlan(*o.plan_file);
    if (!plan) return kExitError;
    if (plan->platform != o.platform) {
      // Its steps speak another platform's vocabulary: this driver would misread every one of them.
      std::cerr << "berth: " << *o.plan_file << ": the saved plan is for platform \"" << plan->platform
                << "\", this apply is for \"" << o.platform << "\" (--platform); nothing was changed\n";
      return kExitError;
    }
    auto now = s.Observe();
    if (!now) return kExitError;
    auto moved = reconciler::DescribeDrift(*plan, *now);
    if (!moved.empty()) {
      std::cerr << "berth: the saved plan is stale: the host changed since it was made; plan again\n";
      for (const auto& m : moved) std::cerr << "  " << m << "\n";
      return kExitError;
    }
    auto own = RecheckSavedPlan(s, o, *plan, std::move(*now));
    if (!own) return kExitError;
    return Execute(s, o, *own);
  }
  s.PrefetchObservation();
  if (!s.LoadManifests() || !s.Allocate()) return kExitError;
  auto plan = s.MakePlan(/*destroy=*/false);
  if (!plan) return kExitError;
  return Execute(s, o, *plan);
}

int RunDestroy(const Options& o) {
  Session s(o);
  if (!s.driver()) {
    std::cerr << "berth: no " << o.platform << " driver on this machine\n";
    return kExitError;
  }
  auto lock = Lock(o, "destroy");
  if (!lock) return kExitError;
  auto plan = s.MakePlan(/*destroy=*/true);
  if (!plan) return kExitError;
  reconciler::RenderOptions render{s.color(), false};
  render.destroy = true;
  std::cout << reconciler::RenderPlanText(*plan, render);
  if (plan->HasWork() && plan->changes.conflicts.empty() && !plan->refusal && !ConfirmDestroy(o, *plan))
    return kExitError;
  const int status = Execute(s, o, *plan, /*printed=*/true);
  if (status != kExitOk) return status;
  return RestoreHostSettings(s, o) ? kExitOk : kExitError;
}

}  // namespace berth::cli
