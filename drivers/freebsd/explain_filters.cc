// The commands of berth's packet filter records on FreeBSD: its pf anchors (NAT and forwards), its ipfw rules
// (the secure-VNET whitelist and the rules feeding dummynet) and its dummynet pipes. See docs/freebsd.md.
#include <algorithm>
#include <sstream>

#include "drivers/freebsd/explain_writer.h"
#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::drivers::freebsd::explain {

using namespace reconciler::freebsd_res;  // NOLINT: the vocabulary of this file

void Pf(const Action& a, Writer& w) {
  const std::string anchor = a.resource.key.name;
  if (!IsSafeAnchor(anchor)) w.Refuse(anchor, "pf anchor");
  if (a.op == Op::kDelete) {
    w.Add({"pfctl", "-a", anchor, "-F", "nat"});
    return;
  }
  // One kernel transaction replaces everything in the anchor (facts A3); the main ruleset is never touched.
  std::string text;
  for (const char* attr : {kNat, kRdr}) {
    const std::string rules = a.resource.AttrOr(attr);
    if (!rules.empty()) text += rules + "\n";
  }
  w.Add({"pfctl", "-a", anchor, "-f", "-"}, w.Lines(text));
}

void Ipfw(const Action& a, Writer& w) {
  // Only rules of berth's set are touched: "set N delete M" deletes rule M of set N alone (ipfw2.c ipfw_delete
  // with co.use_set), and rules are added into the set with "add M set N" (ipfw.8 RULE FORMAT).
  const std::string set = std::to_string(kIpfwSet);
  const bool create = a.op == Op::kCreate;
  // berth adds rules in two ranges: the secure-VNET whitelist's and the one feeding dummynet pipes.
  const bool shaping = !PipesOfRules(a.resource.AttrOr(kRules)).empty();
  const int first = shaping ? kShapeFirstRule : kIpfwFirstRule, count = shaping ? kShapeCount : kIpfwRuleCount;
  const std::string number = create ? w.Number(a.resource.key.name, first, first + count - 1, "ipfw rule number")
                                    : w.Number(a.resource.key.name, 1, 65534, "ipfw rule number");
  if (!create) w.Add({"ipfw", "-q", "set", set, "delete", number});
  if (a.op == Op::kDelete) return;
  if (!create) w.Number(number, first, first + count - 1, "ipfw rule number");
  std::istringstream lines(w.Need(kRules));
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> argv{"ipfw", "-q", "add", number, "set", set};
    std::istringstream words(w.Text(line));
    for (std::string word; words >> word;) argv.push_back(word);
    argv.insert(argv.end(), {"//", "berth", "owner=" + w.Text(Origin(a.resource))});
    w.Add(argv);
  }
}

/// A dummynet pipe (ipfw(8) TRAFFIC SHAPER (DUMMYNET) CONFIGURATION): "pipe N config" creates or reconfigures
/// it in place ("bw" in bit/s, "burst" in bytes), "pipe N delete" removes it. Pipes hold no set; berth's are
/// its two number ranges (freebsd_bandwidth.h).
void Pipe(const Action& a, Writer& w) {
  const std::string number = w.Number(a.resource.key.name, kEgressPipeFirst, kIngressPipeFirst + kShapeCount - 1, "pipe number");
  if (a.op == Op::kDelete) {
    w.Add({"ipfw", "-q", "pipe", number, "delete"});
    return;
  }
  // Up to 10 digits (dummynet's 32-bit bit/s): Writer::Number stops at 6.
  auto digits = [&](const char* attr, uint64_t max, const char* what) {
    const std::string v = w.Need(attr);
    const bool ok = !v.empty() && v.size() <= 10 && std::all_of(v.begin(), v.end(), ::isdigit) && std::stoull(v) <= max;
    if (!ok) w.Refuse(v, what);
    return v;
  };
  const std::string bw = digits(kBw, kMaxPipeBits, "bandwidth");
  const std::string burst = digits(kBurst, 2147483647, "burst");
  w.Add({"ipfw", "-q", "pipe", number, "config", "bw", bw + "bit/s", "burst", burst});
}

}  // namespace berth::drivers::freebsd::explain
