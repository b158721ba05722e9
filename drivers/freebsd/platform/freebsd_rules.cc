// Rule text for pf and ipfw, and its normalisation.
#include "drivers/freebsd/platform/freebsd_rules.h"

#include <cctype>
#include <sstream>

namespace berth::reconciler::freebsd_res {
namespace {


std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

bool IsNumber(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool LooksLikeMac(const std::string& s) { return s.size() == 17 && s[2] == ':' && s[5] == ':'; }

}  // namespace

std::vector<std::string> RuleWords(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string NormalizePfRule(std::string_view line) {
  std::vector<std::string> in = RuleWords(line), out;
  bool after_arrow = false;
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string& w = in[i];
    if (w == "round-robin") continue;
    if (w == "->") after_arrow = true;
    out.push_back(w);
    // The match side's "port 80" is printed by pfctl as "port = 80"; the redirect target's "port 80" is not.
    if (w == "port" && !after_arrow && i + 1 < in.size() && IsNumber(in[i + 1])) out.push_back("=");
  }
  return Join(out);
}

std::string NormalizePfRules(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::string rule = NormalizePfRule(line);
    if (rule.empty()) continue;
    out += (out.empty() ? "" : "\n") + rule;
  }
  return out;
}

std::string NormalizeIpfwRule(std::string_view body) {
  std::vector<std::string> out;
  std::vector<std::string> words = RuleWords(body);
  for (size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    if (w.starts_with("//")) break;
    // "log" is listed back as "log logamount N" when net.inet.ip.fw.verbose_limit was N > 0 at add time (ipfw2.c
    // fills max_log from that sysctl and show_static_rule prints it): berth never asks for a logamount.
    if (w == "logamount" && !out.empty() && out.back() == "log" && i + 1 < words.size() && IsNumber(words[i + 1])) {
      ++i;
      continue;
    }
    if (LooksLikeMac(w))
      for (char& c : w) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (w == "0x0806" && !out.empty() && out.back() == "mac-type") w = "arp";
    out.push_back(w);
  }
  return Join(out);
}

std::string PfNatRule(const std::string& egress, const model::Cidr4& source) {
  return NormalizePfRule("nat on " + egress + " inet from " + source.Network().ToString() + " to any -> (" + egress +
                         ")");
}

std::vector<std::string> SecureVnetRules(const model::Ipv4& ip, const model::Mac& mac, const std::string& uplink_b,
                                         const std::string& host_end) {
  const std::string addr = ip.ToString(), m = mac.ToString();
  return {
      "allow ip from " + addr + " to any layer2 MAC any " + m + " out via " + uplink_b,
      "allow ip from any to " + addr + " layer2 MAC " + m + " any out via " + host_end,
      "allow ip from any to any layer2 mac-type arp MAC any " + m + " out via " + uplink_b,
      "allow ip from any to any layer2 mac-type arp out via " + host_end,
      "deny log ip from any to any layer2 out via " + uplink_b,
      "deny log ip from any to any layer2 out via " + host_end,
  };
}

}  // namespace berth::reconciler::freebsd_res
