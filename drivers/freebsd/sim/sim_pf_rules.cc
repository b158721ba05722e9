// The nat and rdr rules pfctl takes, judged as sbin/pfctl/parse.y judges them and printed as pfctl_parser.c
// prints them (print_rule, print_fromto, print_pool). Every refusal names the function that says so.
#include "drivers/freebsd/sim/sim_pf_rules.h"

#include <optional>
#include <sstream>
#include <vector>

#include "model/net.h"
#include "model/validate_platform.h"

namespace berth::drivers::freebsd::sim {
namespace {

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool IsDigits(const std::string& w) { return !w.empty() && w.find_first_not_of("0123456789") == std::string::npos; }

/// An interface as the lexer reads one: a string that is not a keyword (parse.y lookup) and has none of the
/// characters that end a string.
bool IsInterface(const std::string& w) {
  return !w.empty() && w.size() < 16 && w.find_first_of("(){}<>!=,/ ") == std::string::npos &&
         !model::IsPfKeyword(w);
}
bool IsDynamic(const std::string& w) {
  return w.size() > 2 && w.front() == '(' && w.back() == ')' && IsInterface(w.substr(1, w.size() - 2));
}

/// An address as print_addr lists it: a host without "/32", a network with its prefix; nullopt if none.
std::optional<std::string> Address(const std::string& w) {
  if (w == "any") return w;
  if (model::Ipv4::Parse(w)) return w;
  if (auto cidr = model::Cidr4::Parse(w)) {
    if (cidr->prefix == 0 && cidr->address.value == 0) return "any";  // print_addr: a zero address and mask
    return cidr->prefix == 32 ? cidr->address.ToString() : w;
  }
  return std::nullopt;
}

struct Range {
  long a = 0, b = 0;  // b: 0 for one port
  bool star = false;
};

/// parse.y parseport: "N", "N:M" (a range, or one port when N == M) and, where allowed, "N:*"; getservice
/// refuses a number past 65535 ("illegal port value") and a name it cannot resolve ("unknown port").
std::variant<Range, PfRuleError> ParsePort(const std::string& w, bool star_allowed) {
  auto service = [](const std::string& s) -> std::variant<long, PfRuleError> {
    if (!IsDigits(s)) return PfRuleError{"unknown port " + s};
    if (s.size() > 5 || std::stol(s) > 65535) return PfRuleError{"illegal port value " + s};
    return std::stol(s);
  };
  Range r;
  const size_t colon = w.find(':');
  auto a = service(w.substr(0, colon));
  if (auto* e = std::get_if<PfRuleError>(&a)) return *e;
  r.a = std::get<long>(a);
  if (colon == std::string::npos) return r;
  if (star_allowed && w.substr(colon + 1) == "*") {
    r.star = true;
    return r;
  }
  auto b = service(w.substr(colon + 1));
  if (auto* e = std::get_if<PfRuleError>(&b)) return *e;
  r.b = std::get<long>(b) == r.a ? 0 : std::get<long>(b);
  return r;
}

}  // namespace

std::variant<std::string, PfRuleError> CanonicalPfRule(const std::string& line) {
  const PfRuleError syntax{"syntax error"};
  std::vector<std::string> w = Words(line);
  size_t k = 0;
  auto take = [&](const std::string& word) { return k < w.size() && w[k] == word ? (++k, true) : false; };
  auto next = [&]() { return k < w.size() ? w[k++] : std::string(); };
  const std::string kind = next();
  if ((kind != "nat" && kind != "rdr") || !take("on")) return syntax;
  const std::string itf = next();
  if (!IsInterface(itf)) return syntax;
  take("inet");
  std::string out = kind + " on " + itf + " inet";
  std::string proto;
  if (take("proto")) {
    proto = next();
    // /etc/protocols names; berth writes these three.
    if (proto != "tcp" && proto != "udp" && proto != "sctp") return syntax;
    out += " proto " + proto;
  } else if (kind == "rdr") {
    return syntax;  // berth's rdr rules always name the protocol
  }
  if (!take("from")) return syntax;
  auto from = Address(next());
  if (!take("to")) return syntax;
  std::string to_word = next();
  auto to = IsDynamic(to_word) ? std::optional<std::string>(to_word) : Address(to_word);
  if (!from || !to) return syntax;
  out += " from " + *from + " to " + *to;
  std::optional<Range> match;
  if (take("port")) {
    if (proto.empty()) return syntax;
    take("=");
    auto port = ParsePort(next(), false);
    if (auto* e = std::get_if<PfRuleError>(&port)) return *e;
    match = std::get<Range>(port);
    // print_port: PF_OP_EQ as "= N", PF_OP_RRG as "N:M".
    out += match->b ? " port " + std::to_string(match->a) + ":" + std::to_string(match->b)
                    : " port = " + std::to_string(match->a);
  }
  if (!take("->")) return syntax;
  const std::string target = next();
  const bool itf_target = IsDynamic(target);
  if (!itf_target && !model::Ipv4::Parse(target)) return syntax;
  out += " -> " + target;
  if (take("port")) {
    if (kind != "rdr") return syntax;  // berth never gives a nat rule a port pool
    auto port = ParsePort(next(), true);
    if (auto* e = std::get_if<PfRuleError>(&port)) return *e;
    Range r = std::get<Range>(port);
    long last = r.b;
    if (r.star) {
      // parse.y natrule, PF_RDR: "port N:*" ends at N + (the matched range's length); with one matched port the
      // sum runs through port[1] == 0 and wraps in a u_int16_t, which berth never asks for.
      if (!match || !match->b) return PfRuleError{"sim: \"port N:*\" without a matched port range is not simulated"};
      last = r.a + (match->b - match->a);
      if (last > 65535) return PfRuleError{"sim: \"port N:*\" past port 65535 wraps in pfctl; not simulated"};
    }
    // print_pool, PF_RDR: " port %u", then ":%u" when the last port is set and differs.
    out += " port " + std::to_string(r.a) + (last && last != r.a ? ":" + std::to_string(last) : "");
  } else if (kind == "rdr") {
    return syntax;  // berth's rdr rules always name the target port
  }
  take("round-robin");
  if (k != w.size()) return syntax;
  // parse.y rdr_consistent: ports in an rdr rule only for tcp and udp.
  if (kind == "rdr" && proto != "tcp" && proto != "udp" && match)
    return PfRuleError{"dst port only applies to tcp/udp"};
  if (itf_target) out += " round-robin";  // parse.y natrule: a dynamic interface target is a round-robin pool
  return out;
}

}  // namespace berth::drivers::freebsd::sim
