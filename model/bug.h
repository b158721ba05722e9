// BERTH_BUG and BERTH_CHECK: invariants of berth's own code (never a user's mistake, which is a Diagnostic or
// an error value). A broken invariant prints where it broke and aborts, in every build type (unlike assert).
#pragma once

#include <source_location>
#include <string_view>

namespace berth {

/// Prints "berth: BUG at FILE:LINE in FUNCTION: MESSAGE" to stderr and aborts. Never returns.
[[noreturn]] void Bug(std::string_view message, std::source_location where = std::source_location::current());

}  // namespace berth

/// Aborts with a message naming the file, line and function (ninja's Fatal, nmstate's Bug).
#define BERTH_BUG(message) ::berth::Bug(message)
/// BERTH_BUG unless `condition` holds.
#define BERTH_CHECK(condition, message)              \
  do {                                               \
    if (!(condition)) [[unlikely]] BERTH_BUG(message); \
  } while (0)
