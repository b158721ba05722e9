// The executor (ninja's Builder): in waves, takes every ready step, groups them by resource kind so a driver
// can handle a kind in one transaction, runs the batches on up to `parallelism` threads, then books results.
#include "reconciler/executor.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "reconciler/log.h"
#include "reconciler/plan_tracker.h"

namespace berth::reconciler {

const char* ToString(Op op) {
  switch (op) {
    case Op::kCreate: return "create";
    case Op::kUpdate: return "update";
    case Op::kDelete: return "delete";
  }
  return "?";
}

std::string DriverError::ToString() const {
  std::string text = op + " " + key.ToString();
  if (!message.empty()) text += ": " + message;
  if (sys_errno != 0) text += " (errno " + std::to_string(sys_errno) + ")";
  return text;
}

namespace {

/// The "exec" logger.
std::shared_ptr<spdlog::logger> ExecLogger() { return NamedLogger("exec"); }

/// Ready steps grouped by kind, in kind order, each batch in step order.
std::vector<ApplyRequest> GroupByKind(const Plan& plan, const std::vector<int>& ready) {
  std::map<std::string, ApplyRequest> by_kind;
  for (int id : ready) {
    const Step& step = plan.steps[id];
    by_kind[step.key().kind].actions.push_back(Action{step.id, step.op, step.resource, step.fields});
  }
  std::vector<ApplyRequest> batches;
  for (auto& [kind, request] : by_kind) batches.push_back(std::move(request));
  return batches;
}

/// "kind×count" for each kind of a wave, for the debug log.
std::string KindsOf(const Plan& plan, const std::vector<int>& ready) {
  std::map<std::string, int> counts;
  for (int id : ready) ++counts[plan.steps[id].key().kind];
  std::string text;
  for (const auto& [kind, n] : counts) text += (text.empty() ? "" : " ") + kind + "×" + std::to_string(n);
  return text;
}

/// Runs the batches, up to `parallelism` at a time; the first of each group runs on this thread.
std::vector<ApplyResponse> RunBatches(Driver& driver, const std::vector<ApplyRequest>& batches, int parallelism) {
  std::vector<ApplyResponse> responses(batches.size());
  for (size_t start = 0; start < batches.size(); start += size_t(parallelism)) {
    size_t end = std::min(batches.size(), start + size_t(parallelism));
    std::vector<std::future<ApplyResponse>> others;
    for (size_t i = start + 1; i < end; ++i)
      others.push_back(std::async(std::launch::async, [&driver, &batches, i] { return driver.Apply(batches[i]); }));
    responses[start] = driver.Apply(batches[start]);
    for (size_t i = start + 1; i < end; ++i) responses[i] = others[i - start - 1].get();
  }
  return responses;
}

}  // namespace

ExecuteReport Execute(const Plan& plan, Driver& driver, const ExecuteOptions& options) {
  auto log = ExecLogger();
  int parallelism = options.parallelism > 0 ? options.parallelism : int(std::thread::hardware_concurrency());
  parallelism = std::max(parallelism, 1);

  PlanTracker tracker(plan);
  auto notify = [&](int id) {
    if (options.on_step) options.on_step(plan.steps[id], tracker.report(id));
  };
  while (!tracker.finished()) {
    if (options.cancelled && options.cancelled()) break;  // what is in flight has finished; start nothing new
    std::vector<int> ready = tracker.TakeReady();
    if (ready.empty()) break;  // unreachable while depends_on names earlier steps only
    std::vector<ApplyRequest> batches = GroupByKind(plan, ready);
    const auto wave_start = std::chrono::steady_clock::now();
    std::vector<ApplyResponse> responses = RunBatches(driver, batches, parallelism);
    log->debug("wave: {} steps in {} batches ({}) in {:.1f} ms", ready.size(), batches.size(), KindsOf(plan, ready),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wave_start).count());

    for (size_t b = 0; b < batches.size(); ++b) {
      // First result per step wins; a step the driver did not answer for counts as failed.
      std::map<int, const ActionResult*> results;
      for (const ActionResult& r : responses[b].results) results.emplace(r.step_id, &r);
      for (const Action& action : batches[b].actions) {
        const Step& step = plan.steps[action.step_id];
        auto it = results.find(action.step_id);
        std::optional<DriverError> error;
        if (it == results.end())
          error = DriverError{DriverError::Kind::kOther, ToString(step.op), step.key(), 0, "the driver returned no result"};
        else
          error = it->second->error;
        if (!error) {
          tracker.MarkDone(step.id);
          log->info("{} {}: done", ToString(step.op), step.key().ToString());
          notify(step.id);
          continue;
        }
        log->info("{} {}: failed: {}", ToString(step.op), step.key().ToString(), error->ToString());
        std::vector<int> skipped = tracker.MarkFailed(step.id, std::move(*error));
        notify(step.id);
        for (int s : skipped) {
          log->info("{} {}: skipped (after the failure of step {})", ToString(plan.steps[s].op),
                    plan.steps[s].key().ToString(), step.id);
          notify(s);
        }
      }
    }
  }
  ExecuteReport report = tracker.TakeReport();
  for (const StepReport& r : report.steps) report.not_started += r.outcome == StepOutcome::kPending;
  return report;
}

}  // namespace berth::reconciler
