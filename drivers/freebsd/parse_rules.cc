// pfctl and ipfw listings, and route get.
#include <sstream>

#include "drivers/freebsd/parse.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_rules.h"

namespace berth::drivers::freebsd {
namespace {

using namespace reconciler::freebsd_res;  // NOLINT

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> Lines(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (auto t = Trim(line); !t.empty()) out.push_back(t);
  return out;
}

}  // namespace

std::vector<std::string> ParsePfRules(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& line : Lines(text)) {
    if (line.starts_with("nat-anchor") || line.starts_with("rdr-anchor") || line.starts_with("binat-anchor") ||
        line.starts_with("anchor") || line.starts_with("No ALTQ"))
      continue;
    out.push_back(NormalizePfRule(line));
  }
  return out;
}

PfHooks ParsePfHooks(std::string_view text) {
  PfHooks hooks;
  for (const auto& line : Lines(text)) {
    // pfctl prints "nat-anchor "berth/*" all"; the hook may also carry an "on IF" or other restriction.
    hooks.nat = hooks.nat || line.starts_with(kPfNatHook);
    hooks.rdr = hooks.rdr || line.starts_with(kPfRdrHook);
  }
  return hooks;
}

std::vector<std::string> ParsePfAnchors(std::string_view text) {
  std::vector<std::string> out;
  const std::string prefix = std::string(kPfAnchor) + "/";
  for (auto line : Lines(text)) {
    if (line.find(' ') != std::string::npos) continue;  // not an anchor path (a warning such as "No ALTQ ...")
    out.push_back(line.starts_with(prefix) ? line : prefix + line);
  }
  return out;
}

std::vector<IpfwRule> ParseIpfwList(std::string_view text) {
  std::vector<IpfwRule> out;
  for (const auto& line : Lines(text)) {
    size_t space = line.find(' ');
    if (space == std::string::npos || line.find_first_not_of("0123456789") != space) continue;
    IpfwRule rule;
    rule.number = std::atoi(line.substr(0, space).c_str());
    std::string body = line.substr(space + 1);
    if (body.starts_with("set ")) {  // ipfw -S list: show_static_rule prints "set N " after the number
      size_t end = body.find(' ', 4);
      const std::string set = body.substr(4, end == std::string::npos ? std::string::npos : end - 4);
      if (set.empty() || set.find_first_not_of("0123456789") != std::string::npos || set.size() > 2) continue;
      rule.set = std::atoi(set.c_str());
      body = end == std::string::npos ? "" : body.substr(end + 1);
    }
    if (size_t c = body.find("//"); c != std::string::npos) rule.comment = Trim(body.substr(c + 2));
    rule.body = NormalizeIpfwRule(body);
    out.push_back(std::move(rule));
  }
  return out;
}

std::vector<std::string> IpfwFacts(const std::vector<IpfwRule>& rules) {
  std::vector<std::string> out;
  const int last = kIpfwFirstRule + kIpfwRuleCount - 1;
  bool default_deny = false, layer2_allowed_after = false;
  auto words = [](const std::string& body) {
    std::istringstream in(body);
    std::vector<std::string> w;
    for (std::string x; in >> x;) w.push_back(x);
    return w;
  };
  for (const auto& rule : rules) {
    if (rule.set == kIpfwSet) continue;
    const auto w = words(rule.body);
    if (w.empty()) continue;
    const std::string& action = w[0];
    const bool accepts = action == "allow" || action == "accept" || action == "pass" || action == "permit" ||
                         action == "skipto" || action == "call";
    const std::string text = " " + rule.body + " ";
    if (rule.number == 65535) {
      default_deny = action == "deny" || action == "drop";
      continue;
    }
    // A rule without "layer2" also sees layer-2 frames (ipfw.8 PACKET FLOW); only "not layer2" or a loopback
    // restriction keeps it away from the bridges.
    const bool sees_layer2 = text.find(" not layer2 ") == std::string::npos && text.find(" via lo0 ") == std::string::npos &&
                             text.find(" recv lo0 ") == std::string::npos && text.find(" xmit lo0 ") == std::string::npos;
    if (accepts && sees_layer2 && rule.number < kIpfwFirstRule)
      out.push_back(std::string(kIpfwBypassPrefix) + std::to_string(rule.number) + " " + rule.body);
    if (accepts && action != "skipto" && action != "call" && rule.number > last &&
        text.find(" layer2 ") != std::string::npos && text.find(" not layer2 ") == std::string::npos &&
        text.find(" from any to any ") != std::string::npos)
      layer2_allowed_after = true;
  }
  if (default_deny && !layer2_allowed_after) out.push_back(kIpfwDefaultDeny);
  return out;
}

bool ParsePfEnabled(std::string_view text) {
  for (const auto& line : Lines(text))
    if (line.starts_with("Status:")) return line.starts_with("Status: Enabled");
  return false;
}

RealpathCheck ParseRealpath(std::string_view out, const std::string& file) {
  RealpathCheck check;
  const std::vector<std::string> lines = Lines(out);
  if (lines.empty()) return check;  // the root itself does not resolve: nothing to write into (tee fails loudly)
  const std::string& root = lines[0];
  const std::string want[] = {root + "/etc", root + file};
  for (size_t k = 1; k < lines.size() && k < 3; ++k) {
    if (lines[k] != want[k - 1]) {
      check.safe = false;
      check.resolved = lines[k];
      return check;
    }
  }
  check.exists = lines.size() >= 3;
  return check;
}

std::optional<RouteInfo> ParseRouteGet(std::string_view text) {
  RouteInfo info;
  for (const auto& line : Lines(text)) {
    if (line.starts_with("gateway:")) info.gateway = Trim(line.substr(8));
    if (line.starts_with("interface:")) info.interface = Trim(line.substr(10));
  }
  if (info.gateway.empty()) return std::nullopt;
  return info;
}

}  // namespace berth::drivers::freebsd
