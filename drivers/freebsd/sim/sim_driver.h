// The FreeBSD driver over a simulated host kept in a JSON file: `berth --platform freebsd --driver sim-freebsd
// --sim-state FILE` plans and applies against it on any machine, one run after another (CLI tests, demos).
#pragma once

#include <memory>
#include <string>

#include "model/result.h"
#include "reconciler/driver.h"

namespace berth::drivers::freebsd::sim {

/// Loads the host from `state_file` when it exists (a fresh SimFreeBsd otherwise) and writes it back, atomically,
/// after every Observe and Apply. Errors: a file that is not a simulated host.
Result<std::unique_ptr<reconciler::Driver>> MakeSimFreeBsdDriver(const std::string& state_file);

}  // namespace berth::drivers::freebsd::sim
