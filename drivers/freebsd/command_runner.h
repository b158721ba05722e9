// The FreeBSD driver's only way to its host: a runner that executes argv vectors, never a shell string. The
// real one spawns ifconfig, jail, jls, jexec, pfctl, ipfw and sysctl (process_runner.cc); tests and the CLI's
// sim-freebsd driver use the simulated host in sim/, which answers the same argv with FreeBSD's output.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace berth::drivers::freebsd {

struct CommandResult {
  int exit_code = 0;  // the tool's exit status; -1 when it could not be run at all (err says why)
  std::string out;    // stdout
  std::string err;    // stderr
  bool ok() const { return exit_code == 0; }
};

/// Thread-safety: implementations may be called from several threads at once (the executor applies
/// independent batches in parallel).
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  /// Runs argv[0] with the arguments argv[1..], with `input` on stdin. Never interprets the arguments.
  virtual CommandResult Run(const std::vector<std::string>& argv, const std::string& input) = 0;
};

/// The real runner: argv[0] must be one of the tools above and is run from its fixed path (/sbin/ifconfig,
/// /usr/sbin/jail, ...), not looked up in PATH, with posix_spawn. A command that does not finish within
/// `timeout_seconds` is killed and reported as failed.
std::unique_ptr<CommandRunner> MakeProcessRunner(int timeout_seconds = 120);

/// "ifconfig bridge0 addm bj1a2b3c4da up": argv for logs and error messages, arguments with spaces quoted.
std::string FormatArgv(const std::vector<std::string>& argv);

}  // namespace berth::drivers::freebsd
