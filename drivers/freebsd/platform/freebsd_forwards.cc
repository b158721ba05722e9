// pf rules of port forwards: derivation, text, and the parse the record check derives them again from.
#include "drivers/freebsd/platform/freebsd_forwards.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "drivers/freebsd/platform/freebsd_rules.h"

namespace berth::reconciler::freebsd_res {
namespace {

/// pfctl prints a host address without "/32" (pfctl_parser.c print_addr: the prefix only when shorter).
std::string Address(const model::Cidr4& cidr) {
  return cidr.prefix == 32 ? cidr.address.ToString() : cidr.ToString();
}

std::string Ports(uint16_t first, uint16_t last, bool match) {
  // The match side prints one port as "= N" and a range as "N:M" (print_port with PF_OP_EQ, PF_OP_RRG); the
  // redirect side "N" or "N:M" (print_pool, PF_RDR: ":M" only when it differs).
  if (first == last) return std::string(match ? "= " : "") + std::to_string(first);
  return std::to_string(first) + ":" + std::to_string(last);
}

bool IsInterfaceName(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

std::optional<std::string> InterfaceAddress(std::string_view word) {
  if (word.size() < 3 || word.front() != '(' || word.back() != ')') return std::nullopt;
  std::string_view name = word.substr(1, word.size() - 2);
  if (!IsInterfaceName(name)) return std::nullopt;
  return std::string(word);
}

std::optional<uint16_t> Port(std::string_view s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

/// "N" or "N:M" into first and last; the words "=" "N" are the caller's.
bool PortRange(std::string_view s, uint16_t& first, uint16_t& last) {
  size_t colon = s.find(':');
  auto a = Port(s.substr(0, colon));
  auto b = colon == std::string_view::npos ? a : Port(s.substr(colon + 1));
  if (!a || !b || *b < *a) return false;
  first = *a;
  last = *b;
  return true;
}

/// The part of `source` a forward accepts from `from`: the smaller network when one holds the other.
std::optional<model::Cidr4> Intersect(const model::Cidr4& source, const model::Cidr4& from) {
  if (!source.Overlaps(from)) return std::nullopt;
  return (source.prefix >= from.prefix ? source : from).Network();
}

void AddOnce(std::vector<std::string>& rules, std::string rule) {
  if (std::find(rules.begin(), rules.end(), rule) == rules.end()) rules.push_back(std::move(rule));
}

}  // namespace

std::string FormatPfForwardRule(const PfForwardRule& r) {
  std::string out = std::string(r.nat ? "nat" : "rdr") + " on " + r.on + " inet proto " + ToString(r.protocol) +
                    " from " + (r.from && r.from->prefix > 0 ? Address(*r.from) : "any") + " to " + r.to + " port " +
                    Ports(r.port, r.port_last, true) + " -> " + r.target;
  if (!r.nat) out += " port " + Ports(r.to_port, r.to_port_last, false);
  return out;
}

std::optional<PfForwardRule> ParsePfForwardRule(std::string_view line) {
  const std::vector<std::string> w = RuleWords(line);
  // kind on IF inet proto P from F to T port (= N | N:M) -> TARGET [port (N | N:M)]
  if (w.size() < 14 || (w[0] != "nat" && w[0] != "rdr") || w[1] != "on" || w[3] != "inet" || w[4] != "proto" ||
      w[6] != "from" || w[8] != "to" || w[10] != "port")
    return std::nullopt;
  PfForwardRule r;
  r.nat = w[0] == "nat";
  if (!IsInterfaceName(w[2])) return std::nullopt;
  r.on = w[2];
  if (w[5] == "tcp") r.protocol = model::Protocol::kTcp;
  else if (w[5] == "udp") r.protocol = model::Protocol::kUdp;
  else return std::nullopt;  // sctp: pfctl refuses ports in rdr rules for it (docs/forwards.md)
  if (w[7] != "any") {
    auto cidr = model::Cidr4::Parse(w[7].find('/') == std::string::npos ? w[7] + "/32" : w[7]);
    if (!cidr || cidr->Network() != *cidr) return std::nullopt;
    r.from = cidr;
  }
  if (w[9] == "any" || InterfaceAddress(w[9]) || model::Ipv4::Parse(w[9])) r.to = w[9];
  else return std::nullopt;
  size_t k = 11;
  const bool equals = w[k] == "=";
  if (equals) ++k;
  if (k >= w.size() || !PortRange(w[k], r.port, r.port_last) || equals != (r.port == r.port_last))
    return std::nullopt;
  ++k;
  if (k + 1 >= w.size() || w[k] != "->") return std::nullopt;
  r.target = w[k + 1];
  k += 2;
  if (r.nat) {
    // The reflection's nat: from the bridge's clients, to the target, onto the bridge's own address.
    if (!r.from || !model::Ipv4::Parse(r.to) || r.target != "(" + r.on + ")" || k != w.size()) return std::nullopt;
  } else {
    if (!model::Ipv4::Parse(r.target) || k + 2 != w.size() || w[k] != "port" ||
        !PortRange(w[k + 1], r.to_port, r.to_port_last))
      return std::nullopt;
  }
  if (FormatPfForwardRule(r) != line) return std::nullopt;
  return r;
}

void AddForwardRules(const ForwardPlace& place, const model::PortForward& f, std::vector<std::string>& nat,
                     std::vector<std::string>& rdr) {
  PfForwardRule r;
  r.protocol = f.protocol;
  r.port = f.port;
  r.port_last = f.last();
  r.target = f.to_address.ToString();
  r.to_port = f.to_port;
  // A range keeps its ports (model/validate_forwards.cc: forward-range-mismatch), so the target's last port is
  // the range's; one port maps to one port.
  r.to_port_last = f.is_range() ? f.last() : f.to_port;
  // Outside clients: pf expands a list of sources into one rule each (parse.y expand_rule), so berth writes them
  // so and the listing compares line by line.
  r.on = place.egress;
  r.to = f.listen ? f.listen->ToString() : "any";
  if (f.from.empty()) {
    AddOnce(rdr, FormatPfForwardRule(r));
  } else {
    for (const model::Cidr4& from : f.from) {
      r.from = from.Network();
      AddOnce(rdr, FormatPfForwardRule(r));
    }
  }
  if (!place.bridge) return;
  // Reflection (hairpin): a workload on the bridge reaching the host's address. rdr applies only to packets
  // coming in on the listed interface (pf.conf(5) TRANSLATION), so rdr rules on the bridge too, matching the
  // egress's and the bridge's own addresses ("(em0)": kept current by pf) or the listen address; the redirected
  // packet goes back out through the bridge it came in on, so a nat there makes the host the source and the
  // target's replies come back through pf to be translated back (the pf FAQ's "rdr and nat" reflection).
  std::vector<model::Cidr4> sources;
  if (f.from.empty()) sources.push_back(place.source.Network());
  for (const model::Cidr4& from : f.from)
    if (auto both = Intersect(place.source, from)) sources.push_back(*both);
  std::vector<std::string> destinations;
  if (f.listen) destinations = {f.listen->ToString()};
  else destinations = {"(" + place.egress + ")", "(" + *place.bridge + ")"};  // the host's address, its gateway
  for (const model::Cidr4& source : sources) {
    PfForwardRule in = r, back;
    in.on = *place.bridge;
    in.from = source;
    for (const std::string& to : destinations) {
      in.to = to;
      AddOnce(rdr, FormatPfForwardRule(in));
    }
    back.nat = true;
    back.on = *place.bridge;
    back.protocol = f.protocol;
    back.from = source;
    back.to = f.to_address.ToString();
    back.port = r.to_port;
    back.port_last = r.to_port_last;
    back.target = "(" + *place.bridge + ")";
    AddOnce(nat, FormatPfForwardRule(back));
  }
}

}  // namespace berth::reconciler::freebsd_res
