// The one place a broken invariant ends the process.
#include "model/bug.h"

#include <cstdio>
#include <cstdlib>

namespace berth {

void Bug(std::string_view message, std::source_location where) {
  std::fprintf(stderr, "berth: BUG at %s:%u in %s: %.*s\n", where.file_name(), unsigned(where.line()),
               where.function_name(), int(message.size()), message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace berth
