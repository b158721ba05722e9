// The nft rule codec: a recursive descent over space-separated words, each checked against its own closed
// class (an IPv4 address, a quoted interface name, a port range, one of berth's set names), then printed back.
#include "drivers/linux/platform/nft_rule_spec.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "drivers/linux/platform/nft_concat.h"
#include "drivers/linux/platform/nft_words.h"
#include "model/net.h"
#include "model/parse_bandwidth.h"
#include "model/parse_values.h"

namespace berth::reconciler::linux_res {
namespace {

using Kind = NftTerm::Kind;
using namespace nft_words;

constexpr std::string_view kSets[] = {"vms",     "peers_ok", "full_vms", "host_vm", "out_vm",
                                      "ports",   "ports_ok", "port_vm",  "l2_vm", "in_vm"};

bool IsSetRef(std::string_view w) {
  return w.starts_with("@") && std::find(std::begin(kSets), std::end(kSets), w.substr(1)) != std::end(kSets);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : list_(Words(text)) {}

  /// Parses the whole rule; fills `out` when given (the check alone builds nothing). Every word is checked
  /// against the one spelling its term prints, and words are split on single spaces with none empty, so a rule
  /// that parses prints back to itself.
  std::optional<berth::Error> Run(NftRule* out) {
    if (list_.overflow) return berth::Error{"more words than any rule of berth's"};
    bool final = false;
    NftTerm term;  // reused: its strings keep their buffers from one term to the next
    while (at_ < list_.size) {
      if (final) return Bad("nothing may follow the verdict");
      if (auto error = Term(term)) return error;
      final = Final(term.kind);
      if (out) out->terms.push_back(term);
    }
    if (!final) return berth::Error{"the rule has no verdict"};
    return std::nullopt;
  }

 private:
  static bool Final(Kind k) {
    return k == Kind::kVmap || k == Kind::kVerdict || k == Kind::kDnat || k == Kind::kDnatMap;
  }

  /// "meta l4proto . th dport": the key of a forward's dnat map and target set after its first field. After a
  /// match of one protocol nft lists "th" as that protocol, so a map may say "tcp dport" (`port` keeps which).
  bool ProtocolAndPort(std::string_view* port = nullptr) {
    for (std::string_view w : {"meta", "l4proto", "."})
      if (!Expect(w)) return false;
    const std::string_view p = Next();
    if (p != "th" && !(port && ProtocolNumber(p))) return false;
    if (port) *port = p;
    return Expect("dport");
  }

  std::string_view Next() { return at_ < list_.size ? list_.words[at_++] : std::string_view(); }
  std::string_view Peek() const { return at_ < list_.size ? list_.words[at_] : std::string_view(); }
  bool Expect(std::string_view w) { return Next() == w; }
  bool Negation() {
    if (Peek() != "!=") return false;
    ++at_;
    return true;
  }
  berth::Error Bad(const std::string& what) const {
    const size_t word = at_ == 0 ? 1 : at_;
    std::string token(word <= list_.size ? list_.words[word - 1] : std::string_view());
    if (token.size() > 40) token = token.substr(0, 40) + "...";
    return berth::Error{what + " (at word " + std::to_string(word) + " '" + token + "')"};
  }

  /// One term into `t` (all of whose fields it sets), or the error.
  std::optional<berth::Error> Term(NftTerm& t) {
    const std::string_view w = Next();
    t.field.clear();
    t.value.clear();
    t.negate = false;
    if (w == "ip" || w == "iifname" || w == "oifname") {
      t.kind = w == "ip" ? Kind::kIp : Kind::kIfname;
      if (w == "ip") {
        std::string_view field = Next();
        if (field != "saddr" && field != "daddr") return Bad("expected saddr or daddr");
        t.field = "ip " + std::string(field);
      } else {
        t.field.assign(w);
      }
      if (t.field == "ip daddr" && Peek() == ".") {
        ++at_;
        t.kind = Kind::kTargets;
        if (!ProtocolAndPort()) return Bad("expected ip daddr . meta l4proto . th dport");
        if (auto error = ConcatListError(Next(), ConcatForm::kTargetSet)) return Bad(*error);
        t.value.assign(list_.words[at_ - 1]);
        return std::nullopt;
      }
      if (Peek() == "vmap") {
        ++at_;
        if (t.field == "ip daddr" || !IsSetRef(Peek())) return Bad("bad vmap");
        t.kind = Kind::kVmap;
        t.value.assign(Next());
        return std::nullopt;
      }
      t.negate = Negation();
      std::string_view v = Next();
      bool ok = IsSetRef(v) || (t.kind == Kind::kIp ? IsIpv4(v) || IsCidr(v) : IsQuotedIfname(v));
      if (!ok) return Bad(t.kind == Kind::kIp ? "expected an IPv4 address, a network or a set"
                                                : "expected a quoted interface name or a set");
      t.value.assign(v);
      return std::nullopt;
    }
    if (w == "fib") {
      t.kind = Kind::kFibLocal;
      if (!Expect("daddr") || !Expect("type")) return Bad("expected fib daddr type");
      t.negate = Negation();
      if (!Expect("local")) return Bad("expected local");
      return std::nullopt;
    }
    if (w == "tcp" || w == "udp" || w == "sctp") {
      t.kind = Kind::kDport;
      t.field.assign(w);
      if (!Expect("dport")) return Bad("expected dport");
      std::string_view v = Next();
      if (!IsPortRange(v)) return Bad("expected a port or a port range");
      t.value.assign(v);
      return std::nullopt;
    }
    if (w == "meta") {
      if (Peek() == "pkttype") {
        ++at_;
        if (!Expect("host")) return Bad("expected pkttype host");
        t.kind = Kind::kPkttypeHost;
        return std::nullopt;
      }
      t.kind = Kind::kL4proto;
      if (!Expect("l4proto")) return Bad("expected l4proto");
      std::string_view v = Next();
      if (v != "tcp" && v != "udp" && v != "sctp" && v != "icmp" && !IsProtocolList(v))
        return Bad("expected tcp, udp, sctp, icmp or a list of tcp, udp and sctp");
      t.value.assign(v);
      return std::nullopt;
    }
    if (w == "icmp") {
      t.kind = Kind::kIcmpEcho;
      if (!Expect("type") || !Expect("echo-request")) return Bad("expected icmp type echo-request");
      return std::nullopt;
    }
    if (w == "ct") {
      std::string_view what = Next(), v = Next();
      if (what == "state" && v == "!=") {
        // The forwards' loopback guard: "ct state != established | related" (nft's listing of the set).
        t.negate = true;
        if (!Expect("established") || !Expect("|") || !Expect("related")) return Bad("expected established | related");
        t.kind = Kind::kCtState;
        t.value = "established | related";
        return std::nullopt;
      }
      if (what == "state" && (v == "established,related" || v == "related")) t.kind = Kind::kCtState;
      else if (what == "direction" && (v == "reply" || v == "original")) t.kind = Kind::kCtDirection;
      else if (what == "status" && v == "dnat") t.kind = Kind::kCtStatus;
      else return Bad("unknown ct match");
      t.value.assign(v);
      return std::nullopt;
    }
    if (w == "ether") {
      std::string_view what = Next();
      t.negate = Negation();
      std::string_view v = Next();
      if (what == "saddr" && IsMac(v)) t.kind = Kind::kEtherSaddr;
      else if (what == "type" && v == "{ ip, arp }") t.kind = Kind::kEtherType;
      else return Bad("unknown ether match");
      t.value.assign(v);
      return std::nullopt;
    }
    if (w == "arp") {
      if (!Expect("saddr")) return Bad("expected saddr");
      std::string_view what = Next();
      t.kind = Kind::kArpSaddr;
      t.field.assign(what);
      t.negate = Negation();
      std::string_view v = Next();
      if (!((what == "ether" && IsMac(v)) || (what == "ip" && IsIpv4(v)))) return Bad("unknown arp match");
      t.value.assign(v);
      return std::nullopt;
    }
    if (w == "limit") return Limit(t);
    if (w == "counter") {
      t.kind = Kind::kCounter;
      return std::nullopt;
    }
    if (w == "accept" || w == "drop" || w == "masquerade") {
      t.kind = Kind::kVerdict;
      t.value.assign(w);
      return std::nullopt;
    }
    if (w == "dnat") {
      t.kind = Kind::kDnat;
      if (!Expect("ip") || !Expect("to")) return Bad("expected dnat ip to");
      if (Peek() == "meta") {
        t.kind = Kind::kDnatMap;
        std::string_view port;
        if (!ProtocolAndPort(&port) || !Expect("map")) return Bad("expected meta l4proto . th dport map");
        t.field.assign(port);
        if (auto error = ConcatListError(Next(), ConcatForm::kDnatMap)) return Bad(*error);
        t.value.assign(list_.words[at_ - 1]);
        return std::nullopt;
      }
      std::string_view v = Next();
      size_t colon = v.find(':');
      // ADDRESS alone keeps the packet's port (a forwarded range).
      const bool ok = colon == std::string_view::npos ? IsIpv4(v) : IsIpv4(v.substr(0, colon)) && IsPort(v.substr(colon + 1));
      if (!ok) return Bad("expected ADDRESS or ADDRESS:PORT");
      t.value.assign(v);
      return std::nullopt;
    }
    return Bad("not part of berth's rule grammar");
  }

  /// A VM's packet rate (linux_policy.cc): "limit rate over PPS/second", then " burst N packets" unless N is
  /// nft's default of 5, which its listing leaves out (so "burst 5 packets" would never read back as written).
  std::optional<berth::Error> Limit(NftTerm& t) {
    t.kind = Kind::kLimit;
    if (!Expect("rate") || !Expect("over")) return Bad("expected limit rate over");
    const std::string_view rate = Next();
    const size_t slash = rate.find('/');
    if (slash == std::string_view::npos || rate.substr(slash) != "/second" ||
        !IsCount(rate.substr(0, slash), model::kMinPps, model::kMaxPps))
      return Bad("expected PACKETS/second within berth's packet rates");
    t.value.assign(rate.substr(0, slash));
    if (Peek() != "burst") return std::nullopt;
    ++at_;
    const std::string_view burst = Next();
    if (!IsCount(burst, 1, model::kMaxPpsBurst) || burst == "5") return Bad("expected a burst in packets other than 5");
    if (!Expect("packets")) return Bad("expected packets");
    t.field.assign(burst);
    return std::nullopt;
  }

  WordList list_;
  size_t at_ = 0;
};

}  // namespace

Result<NftRule> ParseNftRule(std::string_view text) {
  if (text.empty()) return Fail("an empty rule");
  NftRule rule;
  if (auto error = Parser(text).Run(&rule)) return Unexpected<berth::Error>{std::move(*error)};
  return rule;
}

std::optional<std::string> NftRuleError(std::string_view text) {
  if (text.empty()) return "an empty rule";
  if (auto error = Parser(text).Run(nullptr)) return std::move(error->message);
  return std::nullopt;
}

std::string FormatNftRule(const NftRule& rule) {
  std::string out;
  for (const NftTerm& t : rule.terms) {
    if (!out.empty()) out += " ";
    const std::string neg = t.negate ? "!= " : "";
    switch (t.kind) {
      case Kind::kIp:
      case Kind::kIfname: out += t.field + " " + neg + t.value; break;
      case Kind::kFibLocal: out += "fib daddr type " + neg + "local"; break;
      case Kind::kDport: out += t.field + " dport " + t.value; break;
      case Kind::kL4proto: out += "meta l4proto " + t.value; break;
      case Kind::kPkttypeHost: out += "meta pkttype host"; break;
      case Kind::kIcmpEcho: out += "icmp type echo-request"; break;
      case Kind::kCtState: out += "ct state " + neg + t.value; break;
      case Kind::kCtDirection: out += "ct direction " + t.value; break;
      case Kind::kCtStatus: out += "ct status " + t.value; break;
      case Kind::kEtherSaddr: out += "ether saddr " + neg + t.value; break;
      case Kind::kEtherType: out += "ether type " + neg + t.value; break;
      case Kind::kArpSaddr: out += "arp saddr " + t.field + " " + neg + t.value; break;
      case Kind::kLimit:
        out += "limit rate over " + t.value + "/second" + (t.field.empty() ? "" : " burst " + t.field + " packets");
        break;
      case Kind::kCounter: out += "counter"; break;
      case Kind::kVmap: out += t.field + " vmap " + t.value; break;
      case Kind::kVerdict: out += t.value; break;
      case Kind::kDnat: out += "dnat ip to " + t.value; break;
      case Kind::kTargets: out += "ip daddr . meta l4proto . th dport " + t.value; break;
      case Kind::kDnatMap: out += "dnat ip to meta l4proto . " + t.field + " dport map " + t.value; break;
    }
  }
  return out;
}

bool IsNftChainName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

namespace {

/// Checks an element line; fills `out` when given.
std::optional<std::string> ElementCheck(std::string_view text, NftElement* out) {
  const WordList list = Words(text);
  const auto& words = list.words;
  if (list.size != 3 && list.size != 6) return "an element is \"FAMILY SET ELEMENT [: jump CHAIN]\"";
  const bool map = list.size == 6;
  if (map && (words[3] != ":" || words[4] != "jump" || !IsNftChainName(words[5]))) return "expected \": jump CHAIN\"";
  static constexpr struct {
    std::string_view family, set;
    bool ip, map;
  } kLayout[] = {{"inet", "vms", true, false},       {"inet", "peers_ok", true, false},
                 {"inet", "full_vms", true, false},  {"inet", "host_vm", true, true},
                 {"inet", "out_vm", true, true},     {"bridge", "ports", false, false},
                 {"bridge", "ports_ok", false, false}, {"bridge", "port_vm", false, true},
                 {"bridge", "l2_vm", false, true},     {"bridge", "in_vm", false, true}};
  for (const auto& l : kLayout) {
    if (l.family != words[0] || l.set != words[1]) continue;
    if (l.map != map) return "set " + std::string(l.set) + (map ? " is not a verdict map" : " is a verdict map");
    if (l.ip ? !IsIpv4(words[2]) : !IsQuotedIfname(words[2]))
      return "element of " + std::string(l.set) + " must be " + (l.ip ? "an IPv4 address" : "a quoted interface name");
    if (out) *out = NftElement{std::string(words[0]), std::string(words[1]), std::string(words[2]),
                               map ? std::string(words[5]) : std::string()};
    return std::nullopt;
  }
  return "no set " + std::string(words[0].substr(0, 10)) + " " + std::string(words[1].substr(0, 40)) +
         " in berth's tables";
}

}  // namespace

Result<NftElement> ParseNftElement(std::string_view text) {
  NftElement e;
  if (auto error = ElementCheck(text, &e)) return Fail(std::move(*error));
  return e;
}

std::optional<std::string> NftElementError(std::string_view text) { return ElementCheck(text, nullptr); }

std::string FormatNftElement(const NftElement& e) {
  std::string out = e.family + " " + e.set + " " + e.key;
  if (!e.jump.empty()) out += " : jump " + e.jump;
  return out;
}

}  // namespace berth::reconciler::linux_res
