// Dummynet pipes and the ipfw rules that feed them, derived from a jail's bandwidth block; the record checks
// derive them again (freebsd_record_check.cc), so a saved plan can carry nothing else.
#include "drivers/freebsd/platform/freebsd_bandwidth.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include "drivers/freebsd/platform/freebsd_names.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_rules.h"
#include "model/parse_bandwidth.h"

namespace berth::reconciler::freebsd_res {
namespace {

std::optional<uint64_t> Number(const std::string& s) {
  uint64_t v = 0;
  if (s.empty() || s.size() > 12 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool IsHostEnd(const std::string& s) {
  if (s.empty() || s.size() > 15 || s.back() != 'a') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
}

std::vector<std::string> Lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace

std::map<std::string, int> ShapeSlots(const model::Manifest& manifest) {
  std::vector<std::string> ids;
  for (const auto& jail : manifest.jails)
    if (jail.network.vnet && jail.network.bandwidth) ids.push_back(jail.doc.Id());
  // More limited jails than slots: the rest get none (CheckHost says so).
  return HashSlots(std::move(ids), kShapeCount);
}

std::vector<std::string> ShapeRules(int egress_pipe, int ingress_pipe, const std::vector<std::string>& host_ends) {
  std::vector<std::string> out;
  for (const auto& end : host_ends) {
    out.push_back(NormalizeIpfwRule("pipe " + std::to_string(egress_pipe) + " ip from any to any not layer2 in recv " + end));
    out.push_back(NormalizeIpfwRule("pipe " + std::to_string(ingress_pipe) + " ip from any to any not layer2 out xmit " + end));
  }
  return out;
}

std::vector<int> PipesOfRules(const std::string& text) {
  std::vector<int> out;
  for (const auto& line : Lines(text)) {
    auto w = RuleWords(line);
    if (w.size() >= 2 && w[0] == "pipe")
      if (auto n = Number(w[1]); n && *n <= 65535) out.push_back(int(*n));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool IsShapeRules(const std::string& text) {
  const auto lines = Lines(text);
  if (lines.empty()) return false;
  std::optional<int> slot;
  for (const auto& line : lines) {
    const auto w = RuleWords(line);
    if (w.size() < 2 || !IsHostEnd(w.back())) return false;
    auto pipe = Number(w[1]);
    if (!pipe) return false;
    const bool egress = *pipe >= uint64_t(kEgressPipeFirst) && *pipe < uint64_t(kEgressPipeFirst + kShapeCount);
    const bool ingress = *pipe >= uint64_t(kIngressPipeFirst) && *pipe < uint64_t(kIngressPipeFirst + kShapeCount);
    if (!egress && !ingress) return false;
    const int s = int(*pipe) - (egress ? kEgressPipeFirst : kIngressPipeFirst);
    if (slot && *slot != s) return false;  // one jail's pipes per rule number
    slot = s;
    const auto derived = ShapeRules(kEgressPipeFirst + s, kIngressPipeFirst + s, {w.back()});
    if (line != derived[egress ? 0 : 1]) return false;
  }
  return true;
}

std::optional<std::string> PipeRateProblem(uint64_t bits) {
  if (bits > kMaxPipeBits) return "dummynet holds at most 4294967295 bit/s";
  // list_pipes prints b/1e9 "%7.3f Gbit/s", b/1e6 "Mbit/s", b/1e3 "Kbit/s": three decimals of the unit.
  if (bits >= 1'000'000'000 && bits % 1'000'000 != 0) return "ipfw shows rates from 1 Gbit/s in whole Mbit/s";
  if (bits >= 1'000'000 && bits < 1'000'000'000 && bits % 1'000 != 0) return "ipfw shows rates from 1 Mbit/s in whole Kbit/s";
  return std::nullopt;
}

std::optional<std::string> PipeRecordError(const Resource& r) {
  if (!r.key.scope.empty()) return "a pipe is the host's";
  auto number = Number(r.key.name);
  const bool egress = number && *number >= uint64_t(kEgressPipeFirst) && *number < uint64_t(kEgressPipeFirst + kShapeCount);
  const bool ingress = number && *number >= uint64_t(kIngressPipeFirst) && *number < uint64_t(kIngressPipeFirst + kShapeCount);
  if (!egress && !ingress) return "pipe " + r.key.name + " is not in berth's range";
  for (const auto& [k, v] : r.attrs)
    if (k != kBw && k != kBurst && k != kJailAttr) return "pipe attribute '" + k + "' is not one berth sets";
  auto bw = Number(r.AttrOr(kBw));
  if (!bw || *bw < model::kMinRateBits || *bw % 8 != 0 || PipeRateProblem(*bw)) return "pipe bw '" + r.AttrOr(kBw) + "' is not a rate berth sets";
  auto burst = Number(r.AttrOr(kBurst));
  if (!burst || *burst < model::kMinBurstBytes || *burst > 0x7fffffffULL) return "pipe burst '" + r.AttrOr(kBurst) + "' is not a burst berth sets";
  return std::nullopt;
}

void ExpandJailBandwidth(const model::Jail& jail, int slot, const std::vector<std::string>& host_ends,
                         DesiredBuilder& b) {
  if (!jail.network.bandwidth || host_ends.empty()) return;
  const model::Bandwidth& bw = *jail.network.bandwidth;
  const std::string& name = jail.doc.metadata.name;
  // A direction without a limit has neither pipe nor rules.
  const int egress = kEgressPipeFirst + slot, ingress = kIngressPipeFirst + slot;
  for (auto [rate, pipe] : {std::pair{bw.egress_bits, egress}, std::pair{bw.ingress_bits, ingress}}) {
    if (!rate) continue;
    b.Add(kPipe, "", std::to_string(pipe),
          {{kBw, std::to_string(*rate)}, {kBurst, std::to_string(model::BandwidthBurst(bw, *rate))}, {kJailAttr, name}},
          jail.doc);
  }
  std::vector<std::string> rules;
  for (const auto& rule : ShapeRules(egress, ingress, host_ends)) {
    const bool to_egress = rule.starts_with("pipe " + std::to_string(egress) + " ");
    if ((to_egress && bw.egress_bits) || (!to_egress && bw.ingress_bits)) rules.push_back(rule);
  }
  std::string text;
  for (const auto& r : rules) text += (text.empty() ? "" : "\n") + r;
  b.Add(kIpfw, "", std::to_string(kShapeFirstRule + slot), {{kRules, text}, {kJailAttr, name}}, jail.doc);
}

}  // namespace berth::reconciler::freebsd_res
