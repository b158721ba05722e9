// berth wait VM: blocks until berth has written the VM's result file (its network is converged and verified),
// then prints it. inotify on the result directory, with a bounded poll as the fallback while it does not exist.
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/options.h"
#include "model/naming.h"

namespace berth::cli {
namespace {

constexpr int kPollCapMs = 250;  // re-check at least this often (a directory that appears, a missed event)

/// The file's content when it holds one complete JSON document (berth renames it into place whole).
std::optional<std::string> ReadRecord(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (nlohmann::json::parse(text.str(), nullptr, false).is_discarded()) return std::nullopt;
  return text.str();
}

}  // namespace

int RunWait(const Options& o) {
  if (o.result_dir.empty()) {
    std::cerr << "berth wait: --result-dir is empty: berth writes no result files to wait for\n";
    return kExitError;
  }
  if (!model::IsSafeName(o.wait_vm)) {
    std::cerr << "berth wait: \"" << o.wait_vm << "\" is not a VM name\n";
    return kExitError;
  }
  const std::string path = o.result_dir + "/" + o.wait_vm + ".json";
  using Clock = std::chrono::steady_clock;
  constexpr double kMaxSeconds = 365.0 * 24 * 3600;
  const double seconds = std::isfinite(o.wait_timeout) ? std::min(o.wait_timeout, kMaxSeconds) : kMaxSeconds;
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));

  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  int watch = -1;
  for (;;) {
    if (fd >= 0 && watch < 0) watch = ::inotify_add_watch(fd, o.result_dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF);
    if (auto record = ReadRecord(path)) {
      if (fd >= 0) ::close(fd);
      std::cout << *record;
      if (!record->ends_with("\n")) std::cout << "\n";
      return kExitOk;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    struct pollfd p {fd, POLLIN, 0};
    const int n = ::poll(fd >= 0 ? &p : nullptr, fd >= 0 ? 1 : 0, int(std::min<long long>(left, kPollCapMs)));
    if (n > 0) {
      char buf[4096];
      ssize_t got;
      while ((got = ::read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < got;) {
          auto* e = reinterpret_cast<const inotify_event*>(buf + i);
          if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) watch = -1;  // the directory went: re-add
          i += ssize_t(sizeof(inotify_event) + e->len);
        }
      }
    }
  }
  if (fd >= 0) ::close(fd);
  std::cerr << "berth wait: timed out after " << o.wait_timeout << " s: no " << path
            << " (the VM's network is not converged and verified; see berth show, berth plan)\n";
  return kExitError;
}

}  // namespace berth::cli
