// Running commands on the simulated FreeBSD host from tests: "ifconfig epair create" split on spaces.
#pragma once

#include <string>
#include <vector>

#include "drivers/freebsd/sim/sim_host.h"

namespace berth::drivers::freebsd::testing {

/// Splits on spaces; '...' keeps spaces inside one argument (test convenience: no other shell syntax).
inline std::vector<std::string> Argv(const std::string& line) {
  std::vector<std::string> argv;
  std::string word;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '\'') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) argv.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) argv.push_back(word);
  return argv;
}

inline CommandResult Sh(sim::SimFreeBsd& host, const std::string& line, const std::string& input = "") {
  return host.Run(Argv(line), input);
}

/// The command's stdout, failing the test when it fails.
inline std::string Out(sim::SimFreeBsd& host, const std::string& line) {
  CommandResult r = Sh(host, line);
  EXPECT_TRUE(r.ok()) << line << ": " << r.err;
  return r.out;
}

/// The command's stderr, failing the test when it succeeds.
inline std::string ErrOf(sim::SimFreeBsd& host, const std::string& line) {
  CommandResult r = Sh(host, line);
  EXPECT_FALSE(r.ok()) << line << " succeeded";
  EXPECT_EQ(r.exit_code, 1) << line;
  return r.err;
}

}  // namespace berth::drivers::freebsd::testing
