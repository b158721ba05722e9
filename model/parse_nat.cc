// kind: NAT. The source is a CIDR or {bridge: NAME}; forwards are "protocol, port (or range), to: ADDRESS[:PORT]",
// optionally from (source CIDRs), listen (a host address) and localhost (docs/forwards.md).
#include <charconv>

#include "model/parse_kinds.h"
#include "model/parse_policy.h"
#include "model/parse_values.h"
#include "model/suggest.h"

namespace berth::model {
namespace {

// Decimal without leading zeros, like the addresses in net.cc: "080" is rejected, not read as 80.
std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  int port = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || port < 1 || port > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(port);
}

void ParseSource(ParseContext& ctx, const Value& value, Nat& nat) {
  if (value.node.IsMap()) {
    auto reader = MappingReader::Open(ctx, value, keys::kNatSource);
    if (!reader) return;
    if (auto bridge_value = reader->Require("bridge"))
      if (auto bridge = ReadBridgeReference(ctx, *bridge_value)) nat.source = *bridge;
    return;
  }
  if (!value.node.IsScalar()) {
    ReportWrongType(ctx, value, "a CIDR or a mapping {bridge: NAME}");
    return;
  }
  if (auto cidr = ReadCidr(ctx, value)) nat.source = *cidr;
}

// "10.168.0.10:80", "10.168.0.10" (the forward's own ports) or "10.168.0.10:8000-8099" (a range, which must be
// the forward's own: nftables' dnat maps a range to a range without keeping offsets, so berth keeps the ports).
void ParseTarget(ParseContext& ctx, const Value& value, PortForward& forward, bool port_ok) {
  auto text = ReadString(ctx, value);
  if (!text) return;
  const std::string_view view(*text);
  const size_t colon = view.find(':');
  auto address = Ipv4::Parse(view.substr(0, colon));
  if (!address) {
    ctx.Error("invalid-address", value.path, value.span,
              "\"" + *text + "\" is not ADDRESS, ADDRESS:PORT or ADDRESS:LOW-HIGH such as 10.168.0.10:80");
    return;
  }
  forward.to_address = *address;
  if (colon == std::string_view::npos) {
    forward.to_port = forward.port;  // the same port (or range) on the target
    return;
  }
  const std::string_view ports = view.substr(colon + 1);
  const size_t dash = ports.find('-');
  auto low = ParsePort(ports.substr(0, dash));
  auto high = dash == std::string_view::npos ? low : ParsePort(ports.substr(dash + 1));
  if (!low || !high || *low > *high) {
    ctx.Error("invalid-port", value.path, value.span,
              "the port of \"" + *text + "\" is not in 1..65535 (or a range LOW-HIGH in order)");
    return;
  }
  const bool range = forward.is_range() || *low != *high;
  if (port_ok && range && (*low != forward.port || *high != forward.last())) {
    ctx.Error("forward-range-mismatch", value.path, value.span,
              "a range forwards to the same ports on the target: write \"" + address->ToString() + "\" or \"" +
                  address->ToString() + ":" + std::to_string(forward.port) + "-" + std::to_string(forward.last()) +
                  "\" (forwarding port " + std::to_string(forward.port) +
                  (forward.is_range() ? "-" + std::to_string(forward.last()) : "") + ")");
    return;
  }
  forward.to_port = *low;
}

/// Each source is a rule per forward in each chain it is matched in: a bound keeps a file from making
/// hundreds of thousands of rules (a longer list is a set the operator can aggregate into fewer CIDRs).
constexpr size_t kMaxFromEntries = 64;

void ParseFrom(ParseContext& ctx, const Value& value, PortForward& forward) {
  if (value.node.IsScalar()) {
    if (auto cidr = ReadCidr(ctx, value)) forward.from.push_back(*cidr);
    return;
  }
  if (auto items = ReadSequence(ctx, value)) {
    if (items->size() > kMaxFromEntries) {
      ctx.Error("too-many-sources", value.path, value.key_span,
                std::to_string(items->size()) + " sources given; at most " + std::to_string(kMaxFromEntries) +
                    " (aggregate them into wider CIDRs)");
      return;
    }
    for (const Value& item : *items)
      if (auto cidr = ReadCidr(ctx, item)) forward.from.push_back(*cidr);
    if (items->empty())
      ctx.Error("empty-from", value.path, value.span,
                "from: [] would accept no one; leave from out to accept any source");
  }
}

void ParseForward(ParseContext& ctx, const Value& item, Nat& nat) {
  auto reader = MappingReader::Open(ctx, item, keys::kNatForward);
  if (!reader) return;
  PortForward forward;
  forward.span = item.span;
  if (auto value = reader->Get("protocol")) {
    if (auto protocol = ReadString(ctx, *value)) {
      if (*protocol == "tcp" || *protocol == "udp" || *protocol == "sctp") {
        forward.protocol = *protocol == "tcp" ? Protocol::kTcp : *protocol == "udp" ? Protocol::kUdp : Protocol::kSctp;
      } else {
        ctx.Error("invalid-enum", value->path, value->span,
                  "protocol \"" + *protocol + "\" is not tcp, udp or sctp" +
                      DidYouMean(*protocol, {"tcp", "udp", "sctp"}));
      }
    }
  }
  bool port_ok = false;
  if (auto value = reader->Require("port")) {
    if (auto range = ReadPortRange(ctx, *value)) {
      forward.port = range->low;
      forward.port_last = range->high == range->low ? 0 : range->high;
      port_ok = true;
    }
  }
  if (auto value = reader->Require("to")) ParseTarget(ctx, *value, forward, port_ok);
  if (auto value = reader->Get("from")) ParseFrom(ctx, *value, forward);
  if (auto value = reader->Get("listen"))
    if (auto address = ReadIpv4(ctx, *value)) forward.listen = *address;
  if (auto value = reader->Get("localhost"))
    if (auto flag = ReadBool(ctx, *value)) forward.localhost = *flag;
  nat.forwards.push_back(forward);
}

}  // namespace

void ParseNatSpec(ParseContext& ctx, const MappingReader& spec, Nat& nat) {
  if (auto value = spec.Require("source")) ParseSource(ctx, *value, nat);
  if (auto value = spec.Get("egress")) nat.egress = ReadInterfaceName(ctx, *value);
  if (auto value = spec.Get("forwards")) {
    if (auto items = ReadSequence(ctx, *value))
      for (const Value& item : *items) ParseForward(ctx, item, nat);
  }
}

}  // namespace berth::model
