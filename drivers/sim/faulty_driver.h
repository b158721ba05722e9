// FaultyDriver: wraps any driver and fails the Nth action it is given with a chosen errno, without passing that
// action on (leveldb's FaultInjectionTestEnv). Everything else goes to the wrapped driver unchanged.
#pragma once

#include <cstdint>
#include <mutex>

#include "reconciler/driver.h"

namespace berth::drivers::sim {

/// Thread-safety: as the wrapped driver; the action count is shared by concurrent Apply calls.
class FaultyDriver final : public reconciler::Driver {
 public:
  /// `fail_at` counts actions from 0 over every Apply call; `inner` must outlive this wrapper.
  FaultyDriver(reconciler::Driver& inner, int64_t fail_at, int sys_errno);

  reconciler::Capabilities capabilities() const override { return inner_.capabilities(); }
  Result<reconciler::ObservedState, reconciler::DriverError> Observe(const reconciler::ObserveRequest& request) override {
    return inner_.Observe(request);
  }
  Result<std::map<std::string, std::string>, reconciler::DriverError> LaunchFacts() override {
    return inner_.LaunchFacts();
  }
  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& request) override;

  /// Whether the fault has been delivered.
  bool fired() const;

 private:
  reconciler::Driver& inner_;
  const int64_t fail_at_;
  const int sys_errno_;
  mutable std::mutex mutex_;
  int64_t seen_ = 0;
};

}  // namespace berth::drivers::sim
