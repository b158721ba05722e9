// The executor (ninja's Builder): takes every ready step, groups them by resource kind so a driver can handle a
// kind in one transaction, and runs the batches on a fixed pool of `parallelism` workers (the calling thread is
// one); a worker books the batch it finished and queues what that made ready before taking the next, so a slow
// step holds back only what needs it.
#include "reconciler/executor.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "reconciler/crash_point.h"
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
    by_kind[step.key().kind].actions.push_back(Action{step.id, step.op, step.resource, step.fields, step.before});
  }
  std::vector<ApplyRequest> batches;
  for (auto& [kind, request] : by_kind) batches.push_back(std::move(request));
  return batches;
}

/// "kind×count" for each kind of a set of ready steps, for the debug log.
std::string KindsOf(const Plan& plan, const std::vector<int>& ready) {
  std::map<std::string, int> counts;
  for (int id : ready) ++counts[plan.steps[id].key().kind];
  std::string text;
  for (const auto& [kind, n] : counts) text += (text.empty() ? "" : " ") + kind + "×" + std::to_string(n);
  return text;
}

/// One Execute call: the tracker, the queue of batches nobody has started, and the workers that drain it. The
/// calling thread is one of the `parallelism` workers. A worker that finishes a batch books it and queues what
/// it made ready itself, then takes the next batch: no hand-off to another thread on the way (ninja's
/// builder refills the moment a command finishes), so one slow batch holds back only what needs it.
class Run {
 public:
  Run(const Plan& plan, Driver& driver, const ExecuteOptions& options)
      : plan_(plan), driver_(driver), options_(options), tracker_(plan), log_(ExecLogger()) {}

  ExecuteReport Go(int parallelism) {
    {
      std::lock_guard lock(mutex_);
      Refill();
    }
    std::vector<std::thread> helpers;
    for (int i = 1; i < parallelism; ++i) helpers.emplace_back([this] { Work(); });
    Work();
    for (auto& t : helpers) t.join();
    ExecuteReport report = tracker_.TakeReport();
    for (const StepReport& r : report.steps) report.not_started += r.outcome == StepOutcome::kPending;
    return report;
  }

 private:
  void Work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!cancelled_ && options_.cancelled && options_.cancelled()) {
        cancelled_ = true;  // what is running finishes; what is queued never starts, its steps stay pending
        queue_.clear();
      }
      if (!queue_.empty()) {
        ApplyRequest batch = std::move(queue_.front().second);
        queue_.pop_front();
        ++running_;
        lock.unlock();
        BERTH_CRASH_POINT("exec.batch");
        ApplyResponse response = driver_.Apply(batch);
        lock.lock();
        --running_;
        Book(batch, response);
        Refill();
        if (!queue_.empty() || running_ == 0) wake_.notify_all();
        continue;
      }
      // Nothing queued and nothing running: nothing can become ready any more (depends_on names earlier
      // steps only), or the run was cancelled.
      if (running_ == 0) {
        wake_.notify_all();
        return;
      }
      wake_.wait(lock);
    }
  }

  /// Queues the ready steps by kind, merged into a queued batch of their kind that no worker has started, so
  /// batches stay as large as they would be in waves. Called with the lock held.
  void Refill() {
    if (cancelled_) return;
    std::vector<int> ready = tracker_.TakeReady();
    if (ready.empty()) return;
    log_->debug("ready: {} steps ({})", ready.size(), KindsOf(plan_, ready));
    for (ApplyRequest& batch : GroupByKind(plan_, ready)) {
      const std::string& kind = plan_.steps[batch.actions.front().step_id].key().kind;
      auto queued = std::find_if(queue_.begin(), queue_.end(), [&](const auto& q) { return q.first == kind; });
      if (queued == queue_.end()) {
        queue_.emplace_back(kind, std::move(batch));
        continue;
      }
      auto& actions = queued->second.actions;  // both in step order: merged, the batch stays in step order
      const auto middle = long(actions.size());
      for (auto& action : batch.actions) actions.push_back(std::move(action));
      std::inplace_merge(actions.begin(), actions.begin() + middle, actions.end(),
                         [](const Action& x, const Action& y) { return x.step_id < y.step_id; });
    }
  }

  /// Books a finished batch. Called with the lock held, so on_step calls never overlap.
  void Book(const ApplyRequest& batch, const ApplyResponse& response) {
    // First result per step wins; a step the driver did not answer for counts as failed.
    std::map<int, const ActionResult*> results;
    for (const ActionResult& r : response.results) results.emplace(r.step_id, &r);
    for (const Action& action : batch.actions) {
      const Step& step = plan_.steps[action.step_id];
      auto it = results.find(action.step_id);
      std::optional<DriverError> error;
      if (it == results.end())
        error = DriverError{DriverError::Kind::kOther, ToString(step.op), step.key(), 0, "the driver returned no result"};
      else
        error = it->second->error;
      if (!error) {
        tracker_.MarkDone(step.id);
        log_->info("{} {}: done", ToString(step.op), step.key().ToString());
        Notify(step.id);
        continue;
      }
      log_->info("{} {}: failed: {}", ToString(step.op), step.key().ToString(), error->ToString());
      std::vector<int> skipped = tracker_.MarkFailed(step.id, std::move(*error));
      Notify(step.id);
      for (int s : skipped) {
        log_->info("{} {}: skipped (after the failure of step {})", ToString(plan_.steps[s].op),
                   plan_.steps[s].key().ToString(), step.id);
        Notify(s);
      }
    }
  }

  void Notify(int id) {
    if (options_.on_step) options_.on_step(plan_.steps[id], tracker_.report(id));
  }

  const Plan& plan_;
  Driver& driver_;
  const ExecuteOptions& options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  PlanTracker tracker_;
  std::deque<std::pair<std::string, ApplyRequest>> queue_;  // not started, in submission order
  int running_ = 0;
  bool cancelled_ = false;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

ExecuteReport Execute(const Plan& plan, Driver& driver, const ExecuteOptions& options) {
  int parallelism = options.parallelism > 0 ? options.parallelism : int(std::thread::hardware_concurrency());
  return Run(plan, driver, options).Go(std::max(parallelism, 1));
}

}  // namespace berth::reconciler
