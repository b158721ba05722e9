// The crash-point test hook: armed once from the environment, then checked at each named point. Points sit
// between host-changing system calls; a kill there leaves exactly the half-made state a real crash would.
#include "reconciler/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace berth::reconciler {
namespace {

// Written once by InitCrashPoints before any other thread starts; read-only afterwards.
std::string armed_point;
long armed_nth = 0;
std::atomic<bool> armed{false};
std::atomic<long> arrivals{0};

}  // namespace

const std::vector<std::string_view>& KnownCrashPoints() {
  static const std::vector<std::string_view> points = {
      "exec.batch",                // before each batch of a wave goes to the driver
      "state.saved-allocations",   // before the changes, between the two state files
      "netns.create.recorded",     // the netns is recorded in the state directory, not yet created
      "netns.create.file",         // the /run/netns file exists, nothing mounted on it yet
      "netns.delete.unmounted",    // the namespace is unmounted, its file not yet removed
      "link.create.unaliased",     // a link exists with berth's group mark but no ownership alias
      "link.create.peer-down",     // a veth is tagged, its peer not yet configured in its netns
      "tap.create.persistent",     // a TAP is persistent and marked, without its alias
      "tc.create.qdisc",           // the ingress qdiscs exist, their redirect filters not yet
      "file.write.temporary",      // a DNS file's temporary copy is written, not yet renamed into place
      "file.delete.unlinked",      // a DNS file is removed, its directory not yet
  };
  return points;
}

bool InitCrashPoints() {
  const char* value = std::getenv(kCrashEnv);
  if (!value || !*value) return true;
  std::string text = value;
  if (text == "list") {
    for (auto p : KnownCrashPoints()) std::printf("%.*s\n", int(p.size()), p.data());
    std::exit(0);
  }
  long nth = 1;
  if (auto colon = text.find(':'); colon != std::string::npos) {
    char* end = nullptr;
    const std::string count = text.substr(colon + 1);
    nth = std::strtol(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || nth < 1) {
      std::fprintf(stderr, "berth: %s: the count after ':' must be a whole number >= 1\n", kCrashEnv);
      return false;
    }
    text.resize(colon);
  }
  const auto& known = KnownCrashPoints();
  if (std::find(known.begin(), known.end(), text) == known.end()) {
    std::fprintf(stderr, "berth: %s: unknown crash point (BERTH_TEST_CRASH_AT=list names them)\n", kCrashEnv);
    return false;
  }
  armed_point = std::move(text);
  armed_nth = nth;
  armed.store(true, std::memory_order_release);
  return true;
}

void CrashPoint(std::string_view name) {
  if (!armed.load(std::memory_order_relaxed) || name != armed_point) return;
  if (arrivals.fetch_add(1) + 1 != armed_nth) return;
  static const char msg[] = "berth: test hook: crashing at an armed crash point\n";
  [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
  ::kill(::getpid(), SIGKILL);
  ::pause();
}

}  // namespace berth::reconciler
