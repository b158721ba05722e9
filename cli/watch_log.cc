// WatchLog: JSON through nlohmann so every message is escaped correctly.
#include "cli/watch_log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace berth::cli {
namespace {

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

}  // namespace

void WatchLog::Write(const std::string& level, const std::string& message,
                     const std::map<std::string, nlohmann::json>& fields) const {
  std::string line;
  if (json_) {
    nlohmann::json j{{"time", Timestamp()}, {"level", level}, {"msg", message}};
    for (const auto& [k, v] : fields) j[k] = v;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // a name may hold any bytes
  } else {
    line = Timestamp() + " " + level + " " + message;
    for (const auto& [k, v] : fields)
      line += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace berth::cli
