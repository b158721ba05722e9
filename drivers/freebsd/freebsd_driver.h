// The FreeBSD driver: observes and changes a FreeBSD host only through a CommandRunner, running for each action
// exactly the argv Explain() gives (and the plan shows). Builds and is tested everywhere against the simulated
// host in sim/; on FreeBSD the CLI gives it the real process runner.
#pragma once

#include <memory>

#include "drivers/freebsd/command_runner.h"
#include "reconciler/driver.h"

namespace berth::drivers::freebsd {

/// `runner` must outlive the driver.
std::unique_ptr<reconciler::Driver> MakeFreeBsdDriver(CommandRunner& runner);
/// The driver owning its runner.
std::unique_ptr<reconciler::Driver> MakeFreeBsdDriver(std::unique_ptr<CommandRunner> runner);

/// The error kind a tool's message implies ("File exists" -> kExists, "does not exist" -> kNotFound,
/// "is dying" -> kBusy, ...). Exposed for tests.
reconciler::DriverError::Kind KindOfMessage(const std::string& message);

}  // namespace berth::drivers::freebsd
