// Helpers for tests of the berth binary: a private state directory, running berth with it, manifests
// written to a temporary directory, the launcher view from `berth show -o json`, and sockets in a netns.
#pragma once

#include <string>

#include "tests/integration/sandbox_env.h"

namespace berth::itest {

/// A berth invocation context: state and lock in a fresh temporary directory, removed on destruction.
class BerthCli {
 public:
  BerthCli();
  ~BerthCli();
  /// Runs `berth ARGS --state-dir D` (the subcommand comes first in ARGS); apply and destroy also get
  /// `--lock-dir D --result-dir results()`.
  CmdResult Run(const std::string& args) const;
  /// The `vms` object of `berth show -o json`.
  nlohmann::json Vms() const;
  /// Writes `yaml` to DIR/NAME in a manifest directory of its own and returns the directory.
  std::string WriteManifest(const std::string& name, const std::string& yaml);
  const std::string& manifests() const { return manifests_; }
  std::string state() const { return dir_ + "/state"; }
  /// The launchers' result files of apply and destroy (--result-dir).
  std::string results() const { return dir_ + "/results"; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, manifests_;
};

/// True when the berth binary was built (the CLI tests skip otherwise).
bool HaveBerth();

/// A socket of `type` created inside namespace `netns` (it stays bound to it); -1 on failure.
int SocketIn(const std::string& netns, int type);

}  // namespace berth::itest
