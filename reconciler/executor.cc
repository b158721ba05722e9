// The executor (ninja's Builder): takes every ready step, groups them by resource kind so a driver can handle a
// kind in one transaction, and runs the batches on a fixed pool of `parallelism` workers; each finished batch
// is booked at once and whatever it made ready is queued at once, so a slow step holds back only what needs it.
#include "reconciler/executor.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
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

/// A fixed pool of workers that run driver batches and hand back each response as soon as it is in, so the
/// executor can refill the moment anything finishes (ninja's builder) instead of waiting for a whole wave.
class BatchPool {
 public:
  BatchPool(Driver& driver, int workers) : driver_(driver) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~BatchPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  /// Queues `request`, merged into a queued batch of the same kind that no worker has started yet: batches
  /// stay as large as they were in waves.
  void Submit(const std::string& kind, ApplyRequest request) {
    {
      std::lock_guard lock(mutex_);
      ++outstanding_;
      for (auto& [queued_kind, queued] : queue_)
        if (queued_kind == kind) {  // both in step order: merged, the batch stays in step order
          auto& actions = queued.actions;
          const auto middle = actions.size();
          for (auto& a : request.actions) actions.push_back(std::move(a));
          std::inplace_merge(actions.begin(), actions.begin() + long(middle), actions.end(),
                             [](const Action& x, const Action& y) { return x.step_id < y.step_id; });
          --outstanding_;
          return;
        }
      queue_.emplace_back(kind, std::move(request));
    }
    work_cv_.notify_one();
  }
  /// Batches submitted and not yet handed back by Wait (queued or running).
  int outstanding() const { return outstanding_; }
  /// Takes back the batches nobody has started (a cancelled run leaves them pending).
  std::vector<ApplyRequest> Withdraw() {
    std::lock_guard lock(mutex_);
    std::vector<ApplyRequest> out;
    for (auto& [kind, request] : queue_) out.push_back(std::move(request));
    outstanding_ -= int(queue_.size());
    queue_.clear();
    return out;
  }
  /// Blocks until at least one batch has finished; returns every finished one with its response.
  std::vector<std::pair<ApplyRequest, ApplyResponse>> Wait() {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [this] { return !done_.empty(); });
    std::vector<std::pair<ApplyRequest, ApplyResponse>> out;
    out.swap(done_);
    outstanding_ -= int(out.size());
    return out;
  }

 private:
  void Work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      ApplyRequest request = std::move(queue_.front().second);
      queue_.pop_front();
      lock.unlock();
      ApplyResponse response = driver_.Apply(request);
      lock.lock();
      done_.emplace_back(std::move(request), std::move(response));
      done_cv_.notify_one();
    }
  }

  Driver& driver_;
  std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::pair<std::string, ApplyRequest>> queue_;  // not started, in submission order
  std::vector<std::pair<ApplyRequest, ApplyResponse>> done_;
  int outstanding_ = 0;  // touched by the executor's thread only (under the lock where workers read queue_)
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

ExecuteReport Execute(const Plan& plan, Driver& driver, const ExecuteOptions& options) {
  auto log = ExecLogger();
  int parallelism = options.parallelism > 0 ? options.parallelism : int(std::thread::hardware_concurrency());
  parallelism = std::max(parallelism, 1);

  PlanTracker tracker(plan);
  auto notify = [&](int id) {
    if (options.on_step) options.on_step(plan.steps[id], tracker.report(id));
  };
  BatchPool pool(driver, parallelism);
  bool cancelled = false;
  while (!tracker.finished()) {
    if (!cancelled && options.cancelled && options.cancelled()) {
      cancelled = true;  // what is running finishes; what is queued is never started
      pool.Withdraw();
    }
    if (!cancelled) {
      std::vector<int> ready = tracker.TakeReady();
      if (!ready.empty()) {
        log->debug("ready: {} steps ({})", ready.size(), KindsOf(plan, ready));
        for (ApplyRequest& batch : GroupByKind(plan, ready)) {
          const std::string kind = plan.steps[batch.actions.front().step_id].key().kind;
          pool.Submit(kind, std::move(batch));
        }
      }
    }
    if (pool.outstanding() == 0) break;  // cancelled, or nothing can become ready (depends_on names earlier steps)

    for (auto& [batch, response] : pool.Wait()) {
      // First result per step wins; a step the driver did not answer for counts as failed.
      std::map<int, const ActionResult*> results;
      for (const ActionResult& r : response.results) results.emplace(r.step_id, &r);
      for (const Action& action : batch.actions) {
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
