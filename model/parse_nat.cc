// kind: NAT. The source is a CIDR or {bridge: NAME}; forwards are "protocol, port, to: ADDRESS:PORT".
#include <charconv>

#include "model/parse_kinds.h"
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

// "10.168.0.10:80": the address and port a forward delivers to.
void ParseTarget(ParseContext& ctx, const Value& value, PortForward& forward) {
  auto text = ReadString(ctx, value);
  if (!text) return;
  size_t colon = text->rfind(':');
  auto address = Ipv4::Parse(std::string_view(*text).substr(0, colon));
  if (colon == std::string::npos || !address) {
    ctx.Error("invalid-address", value.path, value.span,
              "\"" + *text + "\" is not ADDRESS:PORT such as 10.168.0.10:80");
    return;
  }
  auto port = ParsePort(std::string_view(*text).substr(colon + 1));
  if (!port) {
    ctx.Error("invalid-port", value.path, value.span, "the port of \"" + *text + "\" is not in 1..65535");
    return;
  }
  forward.to_address = *address;
  forward.to_port = *port;
}

void ParseForward(ParseContext& ctx, const Value& item, Nat& nat) {
  auto reader = MappingReader::Open(ctx, item, keys::kNatForward);
  if (!reader) return;
  PortForward forward;
  forward.span = item.span;
  if (auto value = reader->Get("protocol")) {
    if (auto protocol = ReadString(ctx, *value)) {
      if (*protocol == "tcp" || *protocol == "udp") {
        forward.protocol = *protocol == "tcp" ? Protocol::kTcp : Protocol::kUdp;
      } else {
        ctx.Error("invalid-enum", value->path, value->span,
                  "protocol \"" + *protocol + "\" is not tcp or udp" + DidYouMean(*protocol, {"tcp", "udp"}));
      }
    }
  }
  if (auto value = reader->Require("port"))
    if (auto port = ReadIntegerInRange(ctx, *value, 1, 65535, "invalid-port"))
      forward.port = static_cast<uint16_t>(*port);
  if (auto value = reader->Require("to")) ParseTarget(ctx, *value, forward);
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
