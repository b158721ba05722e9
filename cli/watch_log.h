// Structured log lines for berth watch: human text or one JSON object per line (--log-format json).
#pragma once

#include <map>
#include <string>

namespace berth::cli {

class WatchLog {
 public:
  explicit WatchLog(bool json) : json_(json) {}
  /// level: "info", "warn", "error". Fields are printed after the message (text) or as members (JSON).
  void Write(const std::string& level, const std::string& message,
             const std::map<std::string, std::string>& fields = {}) const;

 private:
  bool json_;
};

}  // namespace berth::cli
