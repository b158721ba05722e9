// Golden tests: each case in tests/freebsd/golden/<case>/case.txt prepares a simulated host and plans a manifest
// directory; the plan's steps and exact commands must equal expected.txt. BERTH_UPDATE_GOLDEN=1 rewrites the
// expected files (review the diff against the facts file before committing it).
//
// case.txt, one instruction per line ('#' starts a comment):
//   apply DIR        converge the host to the manifests in DIR (relative to the source tree)
//   exec ARGV...     run a command on the host as an operator would (split on spaces)
//   kill JAIL        the jail dies behind berth's back;  hold JAIL N: its next removal leaves it DYING N commands
//   settle           let every asynchronous teardown finish
//   plan DIR         the plan under test (last line); "plan -" plans destroy
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

namespace fs = std::filesystem;

std::string Word(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" '\"\\$`*?;&|<>()") == std::string::npos) return arg;
  if (arg.find("<N>") != std::string::npos && arg.find(' ') == std::string::npos) return arg;
  return "'" + arg + "'";
}

std::string Render(const reconciler::Plan& plan) {
  std::ostringstream out;
  for (const auto& c : plan.changes.conflicts) out << "! conflict: " << c.message << "\n";
  for (const auto& w : plan.changes.warnings) out << "! warning: " << w.message << "\n";
  for (const auto& step : plan.steps) {
    out << "# " << step.id << " " << reconciler::ToString(step.op) << " " << step.key().ToString() << "  ["
        << step.provenance.origin() << "]\n";
    for (const auto& cmd : step.commands) {
      out << "$";
      for (const auto& a : cmd.argv) out << " " << Word(a);
      out << "\n";
      std::istringstream in(cmd.input);
      for (std::string line; std::getline(in, line);) out << "  < " << line << "\n";
    }
  }
  return out.str();
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs a case; returns the rendered plan.
std::string RunCase(const fs::path& dir) {
  Host host;
  std::istringstream lines(Read(dir / "case.txt"));
  std::vector<model::Manifest> keep;  // plans point into their manifest
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string verb, rest;
    words >> verb;
    std::getline(words, rest);
    rest.erase(0, rest.find_first_not_of(' '));
    if (verb == "apply") {
      keep.push_back(LoadManifestDir(rest));
      EXPECT_TRUE(host.Converge(&keep.back())) << line;
    } else if (verb == "exec") {
      CommandResult r = host.sim.Exec(Argv(rest));
      EXPECT_TRUE(r.ok()) << line << ": " << r.err;
    } else if (verb == "kill") {
      host.sim.KillJail(rest);
    } else if (verb == "hold") {
      auto args = Argv(rest);
      host.sim.HoldDying(args.at(0), std::stoi(args.at(1)));
    } else if (verb == "settle") {
      host.sim.Settle();
    } else if (verb == "plan") {
      if (rest == "-") return Render(host.Plan(nullptr));
      keep.push_back(LoadManifestDir(rest));
      return Render(host.Plan(&keep.back()));
    } else {
      ADD_FAILURE() << dir << ": unknown instruction " << line;
    }
  }
  ADD_FAILURE() << dir << ": no plan instruction";
  return "";
}

TEST(FreeBsdGolden, EveryCasePlansToItsExpectedCommands) {
  const fs::path root = fs::path(BERTH_SOURCE_DIR) / "tests/freebsd/golden";
  const bool update = std::getenv("BERTH_UPDATE_GOLDEN") != nullptr;
  int cases = 0;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory() && fs::exists(entry.path() / "case.txt")) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    ++cases;
    const std::string got = RunCase(dir);
    if (update) {
      std::ofstream(dir / "expected.txt") << got;
      continue;
    }
    EXPECT_EQ(got, Read(dir / "expected.txt")) << "rerun with BERTH_UPDATE_GOLDEN=1 and review the diff";
  }
  EXPECT_GE(cases, 5);
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
