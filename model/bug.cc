// The one place a broken invariant ends the process.
#include "model/bug.h"

#include <cstdio>
#include <cstdlib>

namespace berth {

void Bug(std::string_view message, const char* file, int line, const char* function) {
  std::fprintf(stderr, "berth: BUG at %s:%d in %s: %.*s\n", file, line, function, int(message.size()), message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace berth
