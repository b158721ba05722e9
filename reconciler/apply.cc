// ApplyPlan: the one apply transaction. State is saved before the first action and after verification, never
// in between, so a crash at any point leaves records that the next plan reads correctly.
#include "reconciler/apply.h"

#include <algorithm>
#include <thread>

#include "reconciler/crash_point.h"
#include "reconciler/planner.h"

namespace berth::reconciler {

ApplyReport ApplyPlan(const Platform& platform, const Plan& plan, Driver& driver, const StateDir& state,
                      const ApplyOptions& options) {
  ApplyReport report;
  const std::string driver_platform = driver.capabilities().platform;
  if (!plan.platform.empty() && plan.platform != driver_platform) {
    report.refusal = "the plan is for platform \"" + plan.platform + "\", the driver is for \"" + driver_platform +
                     "\"; nothing was changed";
    return report;
  }
  auto inventory = state.LoadInventory();
  if (!inventory) {
    report.refusal = inventory.error().message;
    return report;
  }
  std::vector<std::string> known = std::move(*inventory);
  known.insert(known.end(), plan.manifest_ids.begin(), plan.manifest_ids.end());
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  auto saved = state.SaveAllocations(plan.allocations);
  if (saved) {
    BERTH_CRASH_POINT("state.saved-allocations");
    saved = state.SaveInventory(known);
  }
  if (!saved) {
    report.refusal = saved.error().message;
    return report;
  }

  report.exec = Execute(plan, driver, options.execute);
  if (options.on_executed) options.on_executed(report.exec);

  const int attempts = std::max(1, options.verify.attempts);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt) std::this_thread::sleep_for(options.verify.pause);
    // Only what the steps touched can have moved because of them: the driver re-reads that.
    auto after = driver.Observe(ObserveRequest::AfterApply());
    if (!after) {
      report.after.reset();
      report.observe_error = after.error().ToString();
      report.mismatches = {"re-observing failed: " + *report.observe_error};
    } else {
      report.observe_error.reset();
      report.mismatches = report.exec.ok() ? Verify(platform, plan, *after) : std::vector<std::string>{};
      report.after = std::move(*after);
    }
    // A failed run is not verified (its failures are reported already): one re-observation is enough.
    if (!report.exec.ok() || report.mismatches.empty()) break;
  }
  if (options.launch_records)
    if (auto published = PublishLaunchRecords(platform, plan, report.after ? &*report.after : nullptr,
                                              *options.launch_records);
        !published)
      report.records_error = published.error().message;
  if (!report.exec.ok()) {
    report.mismatches.clear();  // a failed re-observation after a failed run is reported through observe_error
    return report;
  }
  report.verified = report.mismatches.empty();
  if (report.verified && options.complete)
    if (auto saved = state.SaveInventory(plan.manifest_ids); !saved) report.inventory_error = saved.error().message;
  return report;
}

}  // namespace berth::reconciler
