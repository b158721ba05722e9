// FreeBSD rule records checked by deriving them again (see freebsd_record_check.h).
#include "drivers/freebsd/platform/freebsd_record_check.h"

#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

#include "drivers/freebsd/platform/freebsd_bandwidth.h"
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

std::optional<uint16_t> Port(const std::string& s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

/// "nat on IF inet from NET to any -> (IF)", derived again from IF and NET.
bool IsNatRule(const std::string& line) {
  const auto w = RuleWords(line);
  if (w.size() < 6 || !IsInterfaceName(w[2])) return false;
  auto source = model::Cidr4::Parse(w[5]);
  return source && PfNatRule(w[2], *source) == line;
}

/// "rdr on IF inet proto P from any to any port = N -> IP port M", derived again from its values.
bool IsRdrRule(const std::string& line) {
  const auto w = RuleWords(line);
  if (w.size() != 17 || !IsInterfaceName(w[2]) || (w[5] != "tcp" && w[5] != "udp")) return false;
  model::PortForward f;
  f.protocol = w[5] == "tcp" ? model::Protocol::kTcp : model::Protocol::kUdp;
  auto port = Port(w[12]), to_port = Port(w[16]);
  auto to = model::Ipv4::Parse(w[14]);
  if (!port || !to_port || !to) return false;
  f.port = *port;
  f.to_port = *to_port;
  f.to_address = *to;
  return PfRdrRule(w[2], f) == line;
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
      if (!IsNatRule(line)) return "nat rule \"" + line + "\" is not one berth derives";
    for (const auto& line : Lines(r.AttrOr(kRdr)))
      if (!IsRdrRule(line)) return "rdr rule \"" + line + "\" is not one berth derives";
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
