// FreeBSD rule records checked by deriving them again (see freebsd_record_check.h).
#include "drivers/freebsd/platform/freebsd_record_check.h"

#include <cctype>
#include <sstream>
#include <vector>

#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_forwards.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_rules.h"

namespace berth::reconciler::freebsd_res {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

/// An interface name as ifconfig(8) takes it: IFNAMSIZ - 1 characters of [A-Za-z0-9_.-].
bool IsInterfaceName(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

/// "nat on IF inet from NET to any -> (IF)", derived again from IF and NET.
bool IsNatRule(const std::string& line) {
  const auto w = RuleWords(line);
  if (w.size() < 6 || !IsInterfaceName(w[2])) return false;
  auto source = model::Cidr4::Parse(w[5]);
  return source && PfNatRule(w[2], *source) == line;
}

/// A forward's rule of the given kind, derived again from its values (freebsd_forwards.h).
bool IsForwardRule(const std::string& line, bool nat) {
  auto rule = ParsePfForwardRule(line);
  return rule && rule->nat == nat;
}

/// The six rules of SecureVnetRules, derived again from the address, MAC and interfaces the first two name.
bool IsSecureVnetWhitelist(const std::string& text) {
  const auto lines = Lines(text);
  if (lines.size() != 6) return false;
  const auto first = RuleWords(lines[0]), second = RuleWords(lines[1]);
  if (first.size() < 13 || second.size() < 13) return false;
  auto ip = model::Ipv4::Parse(first[3]);
  auto mac = model::Mac::Parse(first[9]);
  const std::string& uplink_b = first.back();
  const std::string& host_end = second.back();
  if (!ip || !mac || !IsInterfaceName(uplink_b) || !IsInterfaceName(host_end)) return false;
  const auto derived = SecureVnetRules(*ip, *mac, uplink_b, host_end);
  for (size_t i = 0; i < lines.size(); ++i)
    if (NormalizeIpfwRule(derived[i]) != lines[i]) return false;
  return true;
}

}  // namespace

std::optional<std::string> FreeBsdRecordError(const Resource& r) {
  if (r.key.kind == kPf) {
    for (const auto& line : Lines(r.AttrOr(kNat)))
      if (!IsNatRule(line) && !IsForwardRule(line, true)) return "nat rule \"" + line + "\" is not one berth derives";
    for (const auto& line : Lines(r.AttrOr(kRdr)))
      if (!IsForwardRule(line, false)) return "rdr rule \"" + line + "\" is not one berth derives";
  }
  if (r.key.kind == kPipe) return PipeRecordError(r);
  if (r.key.kind == kIpfw) {
    // Rules feeding pipes sit under the number of the pipes' slot; anything else is the secure-VNET whitelist.
    const std::string& rules = r.AttrOr(kRules);
    const auto pipes = PipesOfRules(rules);
    if (!pipes.empty()) {
      const int slot = pipes.front() >= kIngressPipeFirst ? pipes.front() - kIngressPipeFirst : pipes.front() - kEgressPipeFirst;
      if (!IsShapeRules(rules) || r.key.name != std::to_string(kShapeFirstRule + slot))
        return "ipfw rules are not the dummynet rules berth derives";
    } else if (!IsSecureVnetWhitelist(rules)) {
      return "ipfw rules are not the secure-VNET whitelist berth derives";
    }
  }
  return std::nullopt;
}

}  // namespace berth::reconciler::freebsd_res
