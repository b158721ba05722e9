// The conformance corpus format and argv shapes. A case, in tests/freebsd/conformance/*.txt:
//
//   == title                       starts a case
//   tag: NAME                      optional: names a shape the review of FreeBSD's sources found
//   source: FILE or PAGE ...       required: where FreeBSD says so
//   release: 14                    optional: a FreeBSD 14 host (no jail parameter meta); 15 otherwise
//   setup: COMMAND                 zero or more, run first (must succeed)
//   hold: JAIL N                   the jail's next removal leaves it DYING for N commands
//   run: COMMAND                   the command under test ('...' keeps spaces in one argument)
//   stdin: LINE                    zero or more lines of standard input
//   accept [OUTPUT]                FreeBSD runs it (and prints OUTPUT somewhere in stdout)
//   absent: TEXT                   ... and does not print TEXT
//   reject: MESSAGE                FreeBSD refuses it with MESSAGE in stderr
//
// '#' lines are comments. An argv's shape keeps keywords and replaces values by their class (<if>, <ip>, ...), so
// "every command berth emits is in the corpus" is a set inclusion of shapes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/net.h"
#include "model/result.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {

struct ConformanceCase {
  std::string where;  // file:line of "=="
  std::string title, tag, source, run, input, error, expect_out, absent;
  std::vector<std::string> setup;  // "hold J N" entries are hold: lines
  int release = 15;
  bool accepted = false;
  bool has_verdict = false;
};

inline Result<std::vector<ConformanceCase>> ParseConformance(const std::string& text, const std::string& file) {
  std::vector<ConformanceCase> out;
  std::istringstream in(text);
  int n = 0;
  auto finish = [&]() -> Status<> {
    if (out.empty()) return Ok{};
    const ConformanceCase& c = out.back();
    if (c.run.empty() || !c.has_verdict || c.source.empty())
      return Fail(c.where + ": a case needs run:, source: and accept or reject:");
    return Ok{};
  };
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const std::string where = file + ":" + std::to_string(n);
    if (line.starts_with("== ")) {
      if (auto s = finish(); !s.ok()) return Fail(s.error().message);
      out.push_back({});
      out.back().where = where;
      out.back().title = line.substr(3);
      continue;
    }
    if (out.empty()) return Fail(where + ": text before the first \"== title\"");
    ConformanceCase& c = out.back();
    auto value = [&](const char* key) { return line.substr(std::string(key).size()); };
    if (line.starts_with("tag: ")) c.tag = value("tag: ");
    else if (line.starts_with("source: ")) c.source += (c.source.empty() ? "" : "; ") + value("source: ");
    else if (line.starts_with("setup: ")) c.setup.push_back(value("setup: "));
    else if (line.starts_with("hold: ")) c.setup.push_back("hold " + value("hold: "));
    else if (line == "release: 14") c.release = 14;
    else if (line.starts_with("absent: ")) c.absent = value("absent: ");
    else if (line.starts_with("run: ")) c.run = value("run: ");
    else if (line.starts_with("stdin: ")) c.input += value("stdin: ") + "\n";
    else if (line == "accept" || line.starts_with("accept ")) {
      c.accepted = c.has_verdict = true;
      if (line.size() > 7) c.expect_out = line.substr(7);
    } else if (line.starts_with("reject: ")) {
      c.has_verdict = true;
      c.error = value("reject: ");
    } else {
      return Fail(where + ": unknown line \"" + line + "\"");
    }
  }
  if (auto s = finish(); !s.ok()) return Fail(s.error().message);
  return out;
}

/// One argument's class: a keyword stays, a value becomes <mac>, <cidr>, <ip>, <n>, <tag>, <path> or <name>;
/// "key=value" keeps its key.
inline std::string ArgShape(const std::string& arg) {
  static const std::set<std::string> kKeywords = {
      // ifconfig(8)
      "ifconfig", "-j", "-a", "-l", "-g", "create", "destroy", "name", "description", "mtu", "up", "down", "inet",
      "ether", "link", "lladdr", "addm", "deletem", "alias", "-alias", "vnet", "-vnet", "epair", "bridge",
      // jail(8), jls(8), jexec(8)
      "jail", "-c", "-m", "-r", "persist", "jls", "jexec", "--libxo", "json", "-d", "-v", "jid", "path", "dying",
      "host.hostname", "ip4", "ip4.addr", "meta",
      // pfctl(8)
      "pfctl", "-s", "-f", "-", "-F", "-e", "nat", "info", "Anchors", "rules",
      // ipfw(8)
      "ipfw", "-q", "-S", "list", "add", "delete", "set", "allow", "deny", "log", "logamount", "ip", "from", "to",
      "any", "layer2", "MAC", "mac-type", "arp", "out", "via", "//", "berth",
      // route(8), sysctl(8), files
      "route", "default", "change", "get", "-n", "sysctl", "realpath", "stat", "%HT", "cat", "tee"};
  if (kKeywords.count(arg)) return arg;
  if (arg.starts_with("berth owner=")) return "<tag>";
  if (size_t eq = arg.find('='); eq != std::string::npos && eq > 0 &&
                                 arg.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._") >= eq)
    return arg.substr(0, eq + 1) + (arg.substr(eq + 1).starts_with("berth owner=") ? "<tag>" : "<v>");
  if (model::Mac::Parse(arg) && arg.size() == 17) return "<mac>";
  if (arg.find('/') != std::string::npos && model::Cidr4::Parse(arg)) return "<cidr>";
  if (model::Ipv4::Parse(arg)) return "<ip>";
  if (!arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos) return "<n>";
  if (arg.starts_with("/")) return "<path>";
  return "<name>";
}

inline std::string ArgvShape(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + ArgShape(a);
  return out;
}

/// Every case of tests/freebsd/conformance/*.txt, in file order.
inline std::vector<ConformanceCase> LoadCorpus() {
  namespace fs = std::filesystem;
  std::vector<ConformanceCase> all;
  const fs::path root = fs::path(BERTH_SOURCE_DIR) / "tests/freebsd/conformance";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(root))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    auto cases = ParseConformance(text.str(), f.filename().string());
    if (!cases) {
      ADD_FAILURE() << cases.error().message;
      continue;
    }
    all.insert(all.end(), cases->begin(), cases->end());
  }
  return all;
}

/// The argv shapes of the accepted cases: what berth may run.
inline std::set<std::string> AcceptedShapes() {
  std::set<std::string> shapes;
  for (const auto& c : LoadCorpus()) {
    if (c.accepted) shapes.insert(ArgvShape(Argv(c.run)));
  }
  return shapes;
}

}  // namespace berth::drivers::freebsd::testing
