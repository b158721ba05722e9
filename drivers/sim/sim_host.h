// SimHost: an in-memory Linux host behind the Driver interface (leveldb's memenv, ninja's VirtualFileSystem).
// It speaks the vocabulary of drivers/linux/platform/linux_resources.h and enforces the kernel rules berth
// relies on, so plans are tested against a host that refuses what the kernel would refuse. Tests also seed,
// drift, fail and crash it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/driver.h"

namespace berth::drivers::sim {

struct SimState;

/// One action as the host received it, in arrival order.
struct SimLogEntry {
  int64_t sequence = 0;  // arrival order over the host's lifetime, from 0
  int step_id = 0;
  reconciler::Op op = reconciler::Op::kCreate;
  reconciler::ResourceKey key;
  std::optional<reconciler::DriverError> error;  // nullopt: applied
};

/// Thread-safety: every member may be called from any thread; actions are applied one at a time, so
/// concurrent batches interleave action by action.
class SimHost final : public reconciler::Driver {
 public:
  /// A host with lo and eth0 (192.0.2.10/24, up) in its own netns and net.ipv4.ip_forward = 0.
  SimHost();
  ~SimHost() override;

  reconciler::Capabilities capabilities() const override { return {"linux"}; }
  /// Everything on the host, sorted: berth's objects and everything else, with ownership read from marks.
  Result<reconciler::ObservedState, reconciler::DriverError> Observe(const reconciler::ObserveRequest& request) override;
  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& request) override;

  // Test helpers. They bypass the log and the injected faults but not the kernel's rules.

  /// Puts an object on the host as if someone had created it: links marked per `ownership` (kOwned: group
  /// and tag with r.owner as origin; kMarked: group only; kUnowned: neither). Netns, files and nft rules are
  /// owned by name, whatever `ownership` says.
  std::optional<reconciler::DriverError> Seed(const reconciler::Resource& r,
                                              reconciler::Ownership ownership = reconciler::Ownership::kUnowned);
  /// Drift: sets one attribute ("" clears it) of an existing object, as an operator's command would.
  std::optional<reconciler::DriverError> Mutate(const reconciler::ResourceKey& key, const std::string& attr,
                                                const std::string& value);
  /// Deletes an object behind berth's back (with what the kernel deletes along with it).
  std::optional<reconciler::DriverError> Remove(const reconciler::ResourceKey& key);
  /// Extra facts reported by Observe (missing features, foreign drop chains, ...).
  void AddFacts(const reconciler::HostFacts& facts);

  /// The k-th action from now (0: the next one) fails with `sys_errno` and changes nothing.
  void InjectFailure(int64_t k, int sys_errno);
  /// berth "crashes" at the k-th action from now: a link create there is half done (group mark, no tag),
  /// anything else is not done; that action and every later one fail with kCrashed until Restart().
  void InjectCrash(int64_t k);
  /// A new berth process: actions are accepted again. The host keeps everything.
  void Restart();
  bool crashed() const;

  std::vector<SimLogEntry> log() const;
  void ClearLog();
  /// Off: keep no log (benchmarks applying hundreds of thousands of actions).
  void set_recording(bool on);
  int64_t actions_seen() const;

 private:
  std::optional<reconciler::DriverError> ApplyOne(const reconciler::Action& action);

  mutable std::mutex mutex_;
  std::unique_ptr<SimState> state_;
  reconciler::HostFacts extra_facts_;
  std::vector<SimLogEntry> log_;
  bool recording_ = true;
  int64_t sequence_ = 0;
  std::optional<int64_t> fail_at_, crash_at_;
  int fail_errno_ = 0;
  bool crashed_ = false;
};

}  // namespace berth::drivers::sim
