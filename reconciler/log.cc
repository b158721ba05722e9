// NamedLogger: one registry look-up, one lock, for every layer's logger.
#include "reconciler/log.h"

#include <mutex>

namespace berth::reconciler {

std::shared_ptr<spdlog::logger> NamedLogger(const std::string& name) {
  static std::mutex mutex;  // spdlog's get and register are each thread-safe, but not the pair
  std::lock_guard lock(mutex);
  if (auto logger = spdlog::get(name)) return logger;
  auto sinks = spdlog::default_logger()->sinks();
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_level(spdlog::default_logger()->level());
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace berth::reconciler
