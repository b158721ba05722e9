// PlanTracker: the executor's book-keeping (ninja's Plan): which steps are waiting, ready, running or finished,
// and which become skipped when something upstream fails. No I/O and no threads: the executor drives it.
#pragma once

#include <optional>
#include <vector>

#include "reconciler/driver.h"
#include "reconciler/plan.h"

namespace berth::reconciler {

enum class StepOutcome { kPending, kDone, kFailed, kSkipped };

struct StepReport {
  int step_id = 0;
  StepOutcome outcome = StepOutcome::kPending;
  std::optional<DriverError> error;  // kFailed
  int blocked_by = -1;               // kSkipped: the failed step upstream
};

struct ExecuteReport {
  std::vector<StepReport> steps;  // indexed by step id
  int done = 0, failed = 0, skipped = 0;
  int not_started = 0;  // left pending because the run was cancelled
  bool ok() const { return failed == 0 && skipped == 0 && not_started == 0; }
};

class PlanTracker {
 public:
  /// Keeps a reference to `plan`, which must outlive the tracker. Steps' depends_on must name earlier steps.
  explicit PlanTracker(const Plan& plan);

  /// Steps whose dependencies are all done and that have not been handed out yet, ascending; they become
  /// running.
  std::vector<int> TakeReady();
  void MarkDone(int id);
  /// Marks a running step failed and every step below it skipped (blocked_by = id). Returns the newly skipped
  /// steps, ascending.
  std::vector<int> MarkFailed(int id, DriverError error);

  bool finished() const { return finished_ == int(reports_.size()); }
  int running() const { return running_; }
  const StepReport& report(int id) const { return reports_[id]; }
  /// The final report; call once finished.
  ExecuteReport TakeReport();

 private:
  enum class Phase { kWaiting, kReady, kRunning, kFinished };
  void Finish(int id, StepOutcome outcome);

  std::vector<std::vector<int>> dependents_;
  std::vector<int> unmet_;  // dependencies not yet done, per step
  std::vector<Phase> phase_;
  std::vector<StepReport> reports_;
  std::vector<int> ready_;
  int finished_ = 0;
  int running_ = 0;
};

}  // namespace berth::reconciler
