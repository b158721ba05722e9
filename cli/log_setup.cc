// Logging set-up: every logger writes to stderr; watch's loggers format like WatchLog.
#include "cli/log_setup.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "cli/watch_log.h"
#include "model/suggest.h"

namespace berth::cli {
namespace {

/// A spdlog sink that hands each message to WatchLog, which writes it to stderr as text or one JSON object.
class WatchLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit WatchLogSink(bool json) : log_(json) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    log_.Write(std::string(level.data(), level.size()), std::string(msg.payload.data(), msg.payload.size()),
               {{"logger", std::string(msg.logger_name.data(), msg.logger_name.size())}});
  }
  void flush_() override {}

 private:
  WatchLog log_;
};

}  // namespace

bool ColorWanted(const Options& o, int fd) {
  if (o.no_color || std::getenv("NO_COLOR") != nullptr) return false;
  const char* term = std::getenv("TERM");
  if (term == nullptr || *term == '\0' || std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(fd) == 1;
}

void SetUpLogging(const Options& o, bool watch) {
  std::shared_ptr<spdlog::logger> logger;
  if (watch) {
    logger = std::make_shared<spdlog::logger>("berth", std::make_shared<WatchLogSink>(o.log_format == "json"));
  } else {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        ColorWanted(o, STDERR_FILENO) ? spdlog::color_mode::always : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("berth", std::move(sink));
  }
  spdlog::set_default_logger(std::move(logger));
}

std::optional<std::string> UnknownCommand(const CLI::App& app, int argc, char** argv) {
  // berth's own flags take no values, so the first word that is not a flag is the subcommand.
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.starts_with("-")) continue;
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      names.push_back(sub->get_name());
    for (const auto& n : names)
      if (n == word) return std::nullopt;
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    std::vector<std::string_view> candidates(names.begin(), names.end());
    return "berth: unknown command " + model::QuoteToken(word) + model::DidYouMean(word, candidates) +
           "; the commands are " + list + " (berth --help)\n";
  }
  return std::nullopt;
}

}  // namespace berth::cli
