// Where berth's logs go (stderr, always: stdout carries only a command's result), whether output is coloured,
// and the message for a subcommand berth does not have.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/options.h"

namespace berth::cli {

/// Colour only on a terminal that can show it: never with --no-color, NO_COLOR set (any value), TERM unset or
/// "dumb", or when `fd` is not a TTY.
bool ColorWanted(const Options& o, int fd);

/// Replaces spdlog's default logger (stdout) by one writing to stderr; under berth watch every layer's log line
/// takes watch's own format (--log-format text or json), so a JSON log is JSON on every line.
void SetUpLogging(const Options& o, bool watch);

/// "berth: unknown command ..." when the first argument that is not a flag names no subcommand of `app`;
/// nullopt otherwise (CLI11 reports everything else).
std::optional<std::string> UnknownCommand(const CLI::App& app, int argc, char** argv);

}  // namespace berth::cli
