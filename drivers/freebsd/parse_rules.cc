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
    if (size_t c = body.find("//"); c != std::string::npos) rule.comment = Trim(body.substr(c + 2));
    rule.body = NormalizeIpfwRule(body);
    out.push_back(std::move(rule));
  }
  return out;
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
