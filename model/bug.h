// BERTH_BUG and BERTH_CHECK: invariants of berth's own code (never a user's mistake, which is a Diagnostic or
// an error value). A broken invariant prints where it broke and aborts, in every build type (unlike assert).
#pragma once

#include <string_view>

namespace berth {

/// Prints "berth: BUG at FILE:LINE in FUNCTION: MESSAGE" to stderr and aborts. Never returns. (The place is
/// passed by the macros, not std::source_location: clang 14, which the sanitizer build uses, lacks it.)
[[noreturn]] void Bug(std::string_view message, const char* file, int line, const char* function);

}  // namespace berth

/// Aborts with a message naming the file, line and function (ninja's Fatal, nmstate's Bug).
#define BERTH_BUG(message) ::berth::Bug(message, __FILE__, __LINE__, __func__)
/// BERTH_BUG unless `condition` holds.
#define BERTH_CHECK(condition, message)              \
  do {                                               \
    if (!(condition)) [[unlikely]] BERTH_BUG(message); \
  } while (0)
