// The named loggers of the layers that do I/O (STYLE.md 18): "exec", "driver.linux", "driver.freebsd", "watch".
// Pure code never logs; it fills an explanation sink or returns errors.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace berth::reconciler {

/// The logger called `name`: the program's own when it registered one, else made once from the default
/// logger's sinks and level and registered. Thread-safe.
std::shared_ptr<spdlog::logger> NamedLogger(const std::string& name);

}  // namespace berth::reconciler
