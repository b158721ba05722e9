// spec.policy of a Bridge and spec.network.policy of a VM: host entries, peers, egress default and entries.
// Per-block rules (ports only with tcp/udp, ranges in order, CIDRs without host bits, a deny entry that an
// allow entry of the same block swallows) are checked here, where each entry's span is at hand.
#include "model/parse_policy.h"

#include <charconv>

#include "model/parse_values.h"
#include "model/suggest.h"

namespace berth::model {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::optional<uint16_t> ParsePortNumber(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  int port = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || ptr != text.data() + text.size() || port < 1 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

// port: 443 or port: "8000-8099".
std::optional<PortRange> ReadPort(ParseContext& ctx, const Value& value) {
  if (value.node.IsScalar() && value.node.Tag() == "?") {
    auto n = ReadIntegerInRange(ctx, value, 1, 65535, "invalid-port");
    if (!n) return std::nullopt;
    return PortRange{static_cast<uint16_t>(*n), static_cast<uint16_t>(*n)};
  }
  auto text = ReadString(ctx, value);
  if (!text) return std::nullopt;
  size_t dash = text->find('-');
  auto low = ParsePortNumber(std::string_view(*text).substr(0, dash));
  auto high = dash == std::string::npos ? low : ParsePortNumber(std::string_view(*text).substr(dash + 1));
  if (!low || !high) {
    ctx.Error("invalid-port", value.path, value.span,
              Quote(*text) + " is not a port (1..65535) or a range \"low-high\" such as \"8000-8099\"");
    return std::nullopt;
  }
  if (*low > *high) {
    ctx.Error("invalid-port-range", value.path, value.span,
              "range " + Quote(*text) + " starts above its end; write \"" + std::to_string(*high) + "-" +
                  std::to_string(*low) + "\"");
    return std::nullopt;
  }
  return PortRange{*low, *high};
}

}  // namespace

std::optional<PortRange> ReadPortRange(ParseContext& ctx, const Value& value) { return ReadPort(ctx, value); }

namespace {

std::optional<PolicyProtocol> ReadProtocol(ParseContext& ctx, const Value& value) {
  auto text = ReadString(ctx, value);
  if (!text) return std::nullopt;
  if (*text == "tcp") return PolicyProtocol::kTcp;
  if (*text == "udp") return PolicyProtocol::kUdp;
  if (*text == "icmp") return PolicyProtocol::kIcmp;
  ctx.Error("invalid-enum", value.path, value.span,
            "protocol " + Quote(*text) + " is not tcp, udp or icmp" + DidYouMean(*text, {"tcp", "udp", "icmp"}));
  return std::nullopt;
}

// Reads protocol and port of an entry; a port needs tcp or udp.
bool ReadProtocolPort(ParseContext& ctx, const MappingReader& reader, bool protocol_required,
                      PolicyProtocol& protocol, std::optional<PortRange>& port) {
  bool ok = true;
  auto pv = protocol_required ? reader.Require("protocol") : reader.Get("protocol");
  if (pv) {
    auto p = ReadProtocol(ctx, *pv);
    if (p) protocol = *p;
    ok = ok && p.has_value();
  } else if (protocol_required) {
    ok = false;
  }
  if (auto v = reader.Get("port")) {
    port = ReadPort(ctx, *v);
    ok = ok && port.has_value();
    if (ok && protocol != PolicyProtocol::kTcp && protocol != PolicyProtocol::kUdp) {
      ctx.Error("port-without-protocol", v->path, v->key_span,
                protocol == PolicyProtocol::kIcmp ? std::string("icmp has no ports; remove \"port\"")
                                                  : std::string("\"port\" needs protocol tcp or udp"));
      ok = false;
    }
  }
  return ok;
}

std::optional<EgressRule> ReadEgressRule(ParseContext& ctx, const Value& item) {
  auto reader = MappingReader::Open(ctx, item, keys::kPolicyEgressRule);
  if (!reader) return std::nullopt;
  EgressRule rule;
  rule.span = item.span;
  bool ok = ReadProtocolPort(ctx, *reader, false, rule.protocol, rule.port);
  auto to = reader->Require("to");
  if (!to) return std::nullopt;
  auto text = ReadString(ctx, *to);
  if (!text) return std::nullopt;
  if (auto set = ParseNamedSet(*text)) {
    rule.to = *set;
  } else if (auto cidr = Cidr4::Parse(*text)) {
    if (cidr->address != cidr->network()) {
      ctx.Error("host-bits-set", to->path, to->span,
                Quote(*text) + " has host bits set; did you mean " + cidr->Network().ToString() + "?");
      return std::nullopt;
    }
    rule.to = *cidr;
  } else {
    ctx.Error("invalid-cidr", to->path, to->span,
              Quote(*text) + " is not a CIDR such as 203.0.113.0/24 or one of private, link-local, multicast" +
                  DidYouMean(*text, {"private", "link-local", "multicast"}));
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return rule;
}

std::vector<EgressRule> ReadEgressList(ParseContext& ctx, const Value& value) {
  std::vector<EgressRule> out;
  if (auto items = ReadSequence(ctx, value))
    for (const Value& item : *items)
      if (auto rule = ReadEgressRule(ctx, item)) out.push_back(*rule);
  return out;
}

void ReadEgress(ParseContext& ctx, const Value& value, Policy& policy, std::string& deny_path) {
  auto reader = MappingReader::Open(ctx, value, keys::kPolicyEgress);
  if (!reader) return;
  if (auto v = reader->Get("default")) {
    auto text = ReadString(ctx, *v);
    if (text && (*text == "allow" || *text == "deny"))
      policy.egress_default_allow = *text == "allow";
    else if (text)
      ctx.Error("invalid-enum", v->path, v->span,
                "default " + Quote(*text) + " is not allow or deny" + DidYouMean(*text, {"allow", "deny"}));
  }
  if (auto v = reader->Get("allow")) policy.egress_allow = ReadEgressList(ctx, *v);
  if (auto v = reader->Get("deny")) {
    policy.egress_deny = ReadEgressList(ctx, *v);
    deny_path = v->path;
  }
}

// A deny entry wholly inside an allow entry of the same block never matches: allow entries win.
void CheckShadowedDenies(ParseContext& ctx, const Policy& policy, const std::string& deny_path) {
  if (!policy.egress_allow || !policy.egress_deny) return;
  for (size_t i = 0; i < policy.egress_deny->size(); ++i) {
    const EgressRule& deny = (*policy.egress_deny)[i];
    for (const EgressRule& allow : *policy.egress_allow) {
      if (!deny.Inside(allow)) continue;
      ctx.Error("deny-never-matches", deny_path + "[" + std::to_string(i) + "]", deny.span,
                "deny entry " + deny.ToString() + " lies wholly inside allow entry " + allow.ToString() + " (" +
                    allow.span.ToString() + "), which wins, so it could never match");
      break;
    }
  }
}

}  // namespace

std::optional<Policy> ParsePolicy(ParseContext& ctx, const Value& value) {
  auto reader = MappingReader::Open(ctx, value, keys::kPolicy);
  if (!reader) return std::nullopt;
  Policy policy;
  policy.span = value.key_span;
  if (auto v = reader->Get("host")) {
    std::vector<HostRule> host;
    if (auto items = ReadSequence(ctx, *v)) {
      for (const Value& item : *items) {
        auto entry = MappingReader::Open(ctx, item, keys::kPolicyHost);
        if (!entry) continue;
        HostRule rule;
        rule.span = item.span;
        if (ReadProtocolPort(ctx, *entry, true, rule.protocol, rule.port)) host.push_back(rule);
      }
    }
    policy.host = std::move(host);
  }
  if (auto v = reader->Get("peers")) {
    auto text = ReadString(ctx, *v);
    if (text && (*text == "allow" || *text == "deny"))
      policy.peers = *text == "allow" ? PeerMode::kAllow : PeerMode::kDeny;
    else if (text)
      ctx.Error("invalid-enum", v->path, v->span,
                "peers " + Quote(*text) + " is not allow or deny" + DidYouMean(*text, {"allow", "deny"}));
  }
  std::string deny_path;
  if (auto v = reader->Get("egress")) ReadEgress(ctx, *v, policy, deny_path);
  CheckShadowedDenies(ctx, policy, deny_path);
  return policy;
}

}  // namespace berth::model
