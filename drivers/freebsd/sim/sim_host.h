// SimFreeBsd: an in-process FreeBSD host behind the CommandRunner interface. It executes the same argv vectors
// the real runner would and answers with FreeBSD's output, errors and exit codes as documented in the facts
// file (each rule cites its source in sim_*.cc). It is a test instrument, not a mock: it refuses what FreeBSD
// refuses, so a wrong sequence fails here as it would on a jail host. Tests also seed it, kill its jails,
// hold them DYING, inject failures and keep it in a JSON file between CLI runs (--driver sim-freebsd).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/freebsd/command_runner.h"
#include "drivers/freebsd/sim/sim_state.h"
#include "model/result.h"

namespace berth::drivers::freebsd::sim {

/// Commands that only read (listings, jls, pfctl -s, ipfw list, sysctl -n, route get, cat inside a jail).
bool IsReadOnly(const std::vector<std::string>& argv);

/// Thread-safety: every member may be called from any thread; commands run one at a time.
class SimFreeBsd final : public CommandRunner {
 public:
  /// A prepared jail host: lo0 (127.0.0.1/8) and em0 (192.0.2.10/24), up; pf loaded, with berth's nat-anchor
  /// and rdr-anchor hooks in the main ruleset; ipfw loaded; a VIMAGE kernel; the three secure-VNET sysctls on;
  /// IP forwarding off.
  SimFreeBsd();
  explicit SimFreeBsd(SimState state);

  /// One command. Time passes with every command: a torn-down vnet's interfaces return after
  /// SimState::return_ticks commands, a DYING jail finishes after its hold.
  CommandResult Run(const std::vector<std::string>& argv, const std::string& input) override;

  // Test helpers. Exec runs a command as an operator would: unlogged, never failed by injection.
  CommandResult Exec(const std::vector<std::string>& argv, const std::string& input = "");
  /// The jail is removed behind berth's back (an operator's jail -r; the last process of a jail without
  /// persist exiting): its interfaces come back to the host under their in-jail names.
  void KillJail(const std::string& name);
  /// The next removal of this jail leaves it DYING for `commands` commands (sockets in TIME_WAIT, say).
  void HoldDying(const std::string& name, int commands);
  /// Every asynchronous teardown completes.
  void Settle();
  /// The k-th changing command from now (0: the next) fails with exit 1 and `message`, changing nothing.
  void FailChange(int64_t k, std::string message = "simulated failure");
  bool fault_pending() const;

  std::vector<std::vector<std::string>> log() const;      // every command Run saw, in order
  std::vector<std::vector<std::string>> changes() const;  // the changing ones among them
  void ClearLog();
  int64_t changes_seen() const;

  SimState state() const;
  void set_state(SimState state);
  nlohmann::json ToJson() const;
  static Result<SimState> FromJson(const nlohmann::json& j);

 private:
  mutable std::mutex mutex_;
  SimState state_;
  std::vector<std::vector<std::string>> log_;
  std::vector<std::vector<std::string>> changes_;
  int64_t changes_seen_ = 0;
  std::optional<int64_t> fail_at_;
  std::string fail_message_;
};

}  // namespace berth::drivers::freebsd::sim
