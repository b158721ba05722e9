// The nft rule codec: a recursive descent over space-separated words, each checked against its own closed
// class (an IPv4 address, a quoted interface name, a port range, one of berth's set names), then printed back.
#include "drivers/linux/platform/nft_rule_spec.h"

#include <algorithm>
#include <charconv>

#include "model/net.h"
#include "model/parse_values.h"

namespace berth::reconciler::linux_res {
namespace {

using Kind = NftTerm::Kind;

constexpr std::string_view kSets[] = {"vms",     "peers_ok", "full_vms", "host_vm", "out_vm",
                                      "ports",   "ports_ok", "port_vm",  "l2_vm"};

bool IsSetRef(std::string_view w) {
  return w.starts_with("@") && std::find(std::begin(kSets), std::end(kSets), w.substr(1)) != std::end(kSets);
}

bool IsIpv4(std::string_view w) {
  auto ip = model::Ipv4::Parse(std::string(w));
  return ip && ip->ToString() == w;
}

bool IsCidr(std::string_view w) {
  auto c = model::Cidr4::Parse(std::string(w));
  return c && c->ToString() == w && c->Network() == *c;
}

bool IsQuotedIfname(std::string_view w) {
  if (w.size() < 3 || w.front() != '"' || w.back() != '"') return false;
  std::string_view name = w.substr(1, w.size() - 2);
  return name.size() <= 15 && model::IsInterfaceName(name);
}

bool IsPort(std::string_view w) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), value);
  return !w.empty() && w[0] != '0' && ec == std::errc() && end == w.data() + w.size() && value <= 65535;
}

bool IsPortRange(std::string_view w) {
  size_t dash = w.find('-');
  if (dash == std::string_view::npos) return IsPort(w);
  return IsPort(w.substr(0, dash)) && IsPort(w.substr(dash + 1));
}

bool IsMac(std::string_view w) {
  auto mac = model::Mac::Parse(std::string(w));
  return mac && mac->ToString() == w;
}

/// Words of a rule; "{ ip, arp }" stays one word so the ether type set is matched whole.
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(i).starts_with("{ ")) {
      size_t close = text.find(" }", i);
      end = close == std::string_view::npos ? text.size() : close + 2;
    }
    out.push_back(text.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : words_(Words(text)) {}

  Result<NftRule> Run() {
    NftRule rule;
    while (at_ < words_.size()) {
      if (!rule.terms.empty() && Final(rule.terms.back().kind)) return Bad("nothing may follow the verdict");
      auto term = Term();
      if (!term) return Unexpected<berth::Error>{term.error()};
      rule.terms.push_back(std::move(*term));
    }
    if (rule.terms.empty() || !Final(rule.terms.back().kind)) return Fail("the rule has no verdict");
    return rule;
  }

 private:
  static bool Final(Kind k) { return k == Kind::kVmap || k == Kind::kVerdict || k == Kind::kDnat; }

  std::string_view Next() { return at_ < words_.size() ? words_[at_++] : std::string_view(); }
  std::string_view Peek() const { return at_ < words_.size() ? words_[at_] : std::string_view(); }
  bool Expect(std::string_view w) { return Next() == w; }
  bool Negation() {
    if (Peek() != "!=") return false;
    ++at_;
    return true;
  }
  Unexpected<berth::Error> Bad(const std::string& what) const {
    const size_t word = at_ == 0 ? 1 : at_;
    std::string token(word <= words_.size() ? words_[word - 1] : std::string_view());
    if (token.size() > 40) token = token.substr(0, 40) + "...";
    return Fail(what + " (at word " + std::to_string(word) + " '" + token + "')");
  }

  Result<NftTerm> Term() {
    const std::string_view w = Next();
    NftTerm t;
    if (w == "ip" || w == "iifname" || w == "oifname") {
      t.kind = w == "ip" ? Kind::kIp : Kind::kIfname;
      if (w == "ip") {
        std::string_view field = Next();
        if (field != "saddr" && field != "daddr") return Bad("expected saddr or daddr");
        t.field = "ip " + std::string(field);
      } else {
        t.field = std::string(w);
      }
      if (Peek() == "vmap") {
        ++at_;
        if ((t.field != "ip saddr" && t.field != "iifname") || !IsSetRef(Peek())) return Bad("bad vmap");
        t.kind = Kind::kVmap;
        t.value = std::string(Next());
        return t;
      }
      t.negate = Negation();
      std::string_view v = Next();
      bool ok = IsSetRef(v) || (t.kind == Kind::kIp ? IsIpv4(v) || IsCidr(v) : IsQuotedIfname(v));
      if (!ok) return Bad(t.kind == Kind::kIp ? "expected an IPv4 address, a network or a set"
                                                : "expected a quoted interface name or a set");
      t.value = std::string(v);
      return t;
    }
    if (w == "fib") {
      t.kind = Kind::kFibLocal;
      if (!Expect("daddr") || !Expect("type")) return Bad("expected fib daddr type");
      t.negate = Negation();
      if (!Expect("local")) return Bad("expected local");
      return t;
    }
    if (w == "tcp" || w == "udp") {
      t.kind = Kind::kDport;
      t.field = std::string(w);
      if (!Expect("dport")) return Bad("expected dport");
      std::string_view v = Next();
      if (!IsPortRange(v)) return Bad("expected a port or a port range");
      t.value = std::string(v);
      return t;
    }
    if (w == "meta") {
      t.kind = Kind::kL4proto;
      if (!Expect("l4proto")) return Bad("expected l4proto");
      std::string_view v = Next();
      if (v != "tcp" && v != "udp" && v != "icmp") return Bad("expected tcp, udp or icmp");
      t.value = std::string(v);
      return t;
    }
    if (w == "icmp") {
      t.kind = Kind::kIcmpEcho;
      if (!Expect("type") || !Expect("echo-request")) return Bad("expected icmp type echo-request");
      return t;
    }
    if (w == "ct") {
      std::string_view what = Next(), v = Next();
      if (what == "state" && (v == "established,related" || v == "related")) t.kind = Kind::kCtState;
      else if (what == "direction" && (v == "reply" || v == "original")) t.kind = Kind::kCtDirection;
      else if (what == "status" && v == "dnat") t.kind = Kind::kCtStatus;
      else return Bad("unknown ct match");
      t.value = std::string(v);
      return t;
    }
    if (w == "ether") {
      std::string_view what = Next();
      t.negate = Negation();
      std::string_view v = Next();
      if (what == "saddr" && IsMac(v)) t.kind = Kind::kEtherSaddr;
      else if (what == "type" && v == "{ ip, arp }") t.kind = Kind::kEtherType;
      else return Bad("unknown ether match");
      t.value = std::string(v);
      return t;
    }
    if (w == "arp") {
      if (!Expect("saddr")) return Bad("expected saddr");
      std::string_view what = Next();
      t.kind = Kind::kArpSaddr;
      t.field = std::string(what);
      t.negate = Negation();
      std::string_view v = Next();
      if (!((what == "ether" && IsMac(v)) || (what == "ip" && IsIpv4(v)))) return Bad("unknown arp match");
      t.value = std::string(v);
      return t;
    }
    if (w == "counter") {
      t.kind = Kind::kCounter;
      return t;
    }
    if (w == "accept" || w == "drop" || w == "masquerade") {
      t.kind = Kind::kVerdict;
      t.value = std::string(w);
      return t;
    }
    if (w == "dnat") {
      t.kind = Kind::kDnat;
      if (!Expect("ip") || !Expect("to")) return Bad("expected dnat ip to");
      std::string_view v = Next();
      size_t colon = v.find(':');
      if (colon == std::string_view::npos || !IsIpv4(v.substr(0, colon)) || !IsPort(v.substr(colon + 1)))
        return Bad("expected ADDRESS:PORT");
      t.value = std::string(v);
      return t;
    }
    return Bad("not part of berth's rule grammar");
  }

  std::vector<std::string_view> words_;
  size_t at_ = 0;
};

}  // namespace

Result<NftRule> ParseNftRule(std::string_view text) {
  if (text.empty()) return Fail("an empty rule");
  auto rule = Parser(text).Run();
  if (!rule) return rule;
  // Canonical form only: any other spelling of the same terms (extra spaces, ...) is not berth's.
  if (FormatNftRule(*rule) != text) return Fail("not in nft's canonical form");
  return rule;
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
      case Kind::kIcmpEcho: out += "icmp type echo-request"; break;
      case Kind::kCtState: out += "ct state " + t.value; break;
      case Kind::kCtDirection: out += "ct direction " + t.value; break;
      case Kind::kCtStatus: out += "ct status " + t.value; break;
      case Kind::kEtherSaddr: out += "ether saddr " + neg + t.value; break;
      case Kind::kEtherType: out += "ether type " + neg + t.value; break;
      case Kind::kArpSaddr: out += "arp saddr " + t.field + " " + neg + t.value; break;
      case Kind::kCounter: out += "counter"; break;
      case Kind::kVmap: out += t.field + " vmap " + t.value; break;
      case Kind::kVerdict: out += t.value; break;
      case Kind::kDnat: out += "dnat ip to " + t.value; break;
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

Result<NftElement> ParseNftElement(std::string_view text) {
  auto words = Words(text);
  NftElement e;
  if (words.size() != 3 && words.size() != 6) return Fail("an element is \"FAMILY SET ELEMENT [: jump CHAIN]\"");
  e.family = std::string(words[0]);
  e.set = std::string(words[1]);
  e.key = std::string(words[2]);
  const bool map = words.size() == 6;
  if (map) {
    if (words[3] != ":" || words[4] != "jump" || !IsNftChainName(words[5])) return Fail("expected \": jump CHAIN\"");
    e.jump = std::string(words[5]);
  }
  static constexpr struct {
    std::string_view family, set;
    bool ip, map;
  } kLayout[] = {{"inet", "vms", true, false},       {"inet", "peers_ok", true, false},
                 {"inet", "full_vms", true, false},  {"inet", "host_vm", true, true},
                 {"inet", "out_vm", true, true},     {"bridge", "ports", false, false},
                 {"bridge", "ports_ok", false, false}, {"bridge", "port_vm", false, true},
                 {"bridge", "l2_vm", false, true}};
  for (const auto& l : kLayout) {
    if (l.family != e.family || l.set != e.set) continue;
    if (l.map != map) return Fail("set " + e.set + (map ? " is not a verdict map" : " is a verdict map"));
    if (l.ip ? !IsIpv4(e.key) : !IsQuotedIfname(e.key))
      return Fail("element of " + e.set + " must be " + (l.ip ? "an IPv4 address" : "a quoted interface name"));
    if (FormatNftElement(e) != text) return Fail("not in canonical form");
    return e;
  }
  return Fail("no set " + e.family + " " + e.set.substr(0, 40) + " in berth's tables");
}

std::string FormatNftElement(const NftElement& e) {
  std::string out = e.family + " " + e.set + " " + e.key;
  if (!e.jump.empty()) out += " : jump " + e.jump;
  return out;
}

}  // namespace berth::reconciler::linux_res
