// A test hook: named points between host-changing system calls where berth can be made to kill itself, so a
// test can stop it at any window a real crash could hit and check that the next run converges.
#pragma once

#include <string_view>
#include <vector>

namespace berth::reconciler {

/// The environment variable read once, by InitCrashPoints: `POINT` or `POINT:N` (die at the Nth time POINT is
/// reached, counting from 1). A test hook only: unset, every crash point is one relaxed atomic load.
inline constexpr const char* kCrashEnv = "BERTH_TEST_CRASH_AT";

/// Reads kCrashEnv. Returns false (and writes why to stderr) when it names no known point or a bad count.
/// `BERTH_TEST_CRASH_AT=list` prints every known point, one a line, and exits 0.
bool InitCrashPoints();

/// Every point a BERTH_CRASH_POINT in the source names (a unit test keeps this list and the source in step).
const std::vector<std::string_view>& KnownCrashPoints();

/// Kills the process with SIGKILL when `name` is the armed point and this is its Nth arrival; else nothing.
void CrashPoint(std::string_view name);

}  // namespace berth::reconciler

/// One call per point, so points in kernel-facing code stay one line each.
#define BERTH_CRASH_POINT(name) ::berth::reconciler::CrashPoint(name)
