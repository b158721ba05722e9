// FaultyDriver: picks the failing action out of a batch, forwards the rest, and merges the results.
#include "drivers/sim/faulty_driver.h"

#include "drivers/sim/sim_state.h"

namespace berth::drivers::sim {

FaultyDriver::FaultyDriver(reconciler::Driver& inner, int64_t fail_at, int sys_errno)
    : inner_(inner), fail_at_(fail_at), sys_errno_(sys_errno) {}

reconciler::ApplyResponse FaultyDriver::Apply(const reconciler::ApplyRequest& request) {
  reconciler::ApplyRequest forwarded;
  std::optional<reconciler::ActionResult> injected;
  {
    std::lock_guard lock(mutex_);
    for (const auto& action : request.actions) {
      if (seen_++ == fail_at_)
        injected = reconciler::ActionResult{action.step_id, SysError(action, sys_errno_, "injected failure")};
      else
        forwarded.actions.push_back(action);
    }
  }
  reconciler::ApplyResponse response;
  if (!forwarded.actions.empty()) response = inner_.Apply(forwarded);
  if (injected) response.results.push_back(*injected);
  return response;
}

bool FaultyDriver::fired() const {
  std::lock_guard lock(mutex_);
  return seen_ > fail_at_;
}

}  // namespace berth::drivers::sim
