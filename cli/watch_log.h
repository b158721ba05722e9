// Structured log lines for berth watch: human text or one JSON object per line (--log-format json).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::cli {

class WatchLog {
 public:
  explicit WatchLog(bool json) : json_(json) {}
  /// level: "info", "warn", "error". Fields are printed after the message (text) or as members (JSON, where
  /// numbers stay numbers).
  void Write(const std::string& level, const std::string& message,
             const std::map<std::string, nlohmann::json>& fields = {}) const;

 private:
  bool json_;
};

}  // namespace berth::cli
