// kind: Jail (FreeBSD). VNET jails get interfaces on bridges; non-VNET jails get iocage-style ip4 entries
// ("em0|10.1.1.10/24") on host interfaces. The two shapes exclude each other.
#include "model/naming.h"
#include "model/parse_dns.h"
#include "model/parse_bandwidth.h"
#include "model/parse_kinds.h"
#include "model/parse_routes.h"
#include "model/parse_values.h"

namespace berth::model {
namespace {

void ParseInterface(ParseContext& ctx, const Value& item, JailNetwork& network) {
  auto reader = MappingReader::Open(ctx, item, keys::kJailInterface);
  if (!reader) return;
  JailInterface interface;
  interface.span = item.span;
  if (auto v = reader->Require("name")) {
    auto name = ReadInterfaceName(ctx, *v);
    // An interface returns to the host under its in-jail name when the jail dies, so it must not take a name
    // berth derives for host objects, or one the epair cloner hands out.
    if (name && IsReservedJailInterfaceName(*name))
      ctx.Error(
          "reserved-interface-name", v->path, v->span,
          "\"" + *name + "\" is reserved on the host (lo0, epairNa/b, or a name berth derives); use vnet0 or similar");
    else if (name)
      interface.name = *name;
  }
  if (auto v = reader->Require("bridge"))
    if (auto bridge = ReadBridgeReference(ctx, *v)) interface.bridge = *bridge;
  if (auto v = reader->Get("secure"))
    if (auto secure = ReadBool(ctx, *v)) interface.secure = *secure;
  if (auto v = reader->Get("address")) interface.address = ReadCidr(ctx, *v);
  if (auto v = reader->Get("mac")) interface.mac = ReadMac(ctx, *v);
  network.interfaces.push_back(std::move(interface));
}

void ParseIp4Entry(ParseContext& ctx, const Value& item, JailNetwork& network) {
  auto text = ReadString(ctx, item);
  if (!text) return;
  size_t bar = text->find('|');
  std::string interface = text->substr(0, bar);
  auto address = bar == std::string::npos ? std::nullopt : Cidr4::Parse(std::string_view(*text).substr(bar + 1));
  if (!address || !IsInterfaceName(interface)) {
    ctx.Error("invalid-ip4-entry", item.path, item.span,
              "\"" + *text + "\" is not INTERFACE|CIDR as iocage writes it, such as em0|10.1.1.10/24");
    return;
  }
  network.ip4.push_back(Ip4Entry{interface, *address, item.span});
}

// Which of the network's fields a jail of this shape and mode may not have, reported at their keys.
void CheckShape(ParseContext& ctx, const MappingReader& reader, const JailNetwork& network) {
  const std::string mode = ToString(network.mode);
  auto given = [&](std::string_view key) { return reader.Get(key); };
  auto conflict = [&](const char* code, std::string_view key, const std::string& why) {
    if (auto v = given(key))
      ctx.Error(code, v->path, v->key_span, "\"" + std::string(key) + "\" is not allowed " + why);
  };
  if (network.vnet) {
    conflict("vnet-conflict", "ip4", "in a VNET jail: its addresses go on its interfaces");
  } else {
    // Limits are dummynet pipes on the jail's epairs; a non-VNET jail shares the host's interfaces.
    conflict("vnet-conflict", "bandwidth", "in a non-VNET jail (vnet: false): limits go on a VNET jail's epairs");
  }
  if (network.vnet) {
  } else {
    conflict("vnet-conflict", "interfaces", "in a non-VNET jail (vnet: false): use ip4 entries");
    conflict("vnet-conflict", "defaultRouter", "in a non-VNET jail (vnet: false): it shares the host's routes");
    conflict("vnet-conflict", "routes", "in a non-VNET jail (vnet: false): it shares the host's routes");
  }
  const char* list = network.vnet ? "interfaces" : "ip4";
  if (UsesBridge(network.mode)) {
    auto v = given(list);
    if (!v || (v->node.IsSequence() && v->node.size() == 0))
      ctx.Error("missing-field", reader.PathOf(list), v ? v->key_span : reader.self().key_span,
                "missing required field \"" + std::string(list) + "\": mode " + mode + " needs at least one entry");
  }
  // A disabled or loopback jail has no outside link, but a switch of mode must be one word, as for a VM: its
  // interfaces (or ip4 entries), defaultRouter and routes may stay, unused, and its addresses stay allocated.
}

void ParseNetwork(ParseContext& ctx, const Value& value, JailNetwork& network) {
  auto reader = MappingReader::Open(ctx, value, keys::kJailNetwork);
  if (!reader) return;
  if (auto v = reader->Get("vnet"))
    if (auto vnet = ReadBool(ctx, *v)) network.vnet = *vnet;
  if (auto v = reader->Get("mode"))
    if (auto mode = ReadMode(ctx, *v)) network.mode = *mode;
  if (auto v = reader->Get("interfaces"))
    if (auto items = ReadSequence(ctx, *v))
      for (const Value& item : *items) ParseInterface(ctx, item, network);
  if (auto v = reader->Get("defaultRouter")) network.default_router = ReadIpv4(ctx, *v);
  if (auto v = reader->Get("dns")) ReadDns(ctx, *v, network.dns, network.dns_search, network.dns_options);
  if (auto v = reader->Get("ip4"))
    if (auto items = ReadSequence(ctx, *v))
      for (const Value& item : *items) ParseIp4Entry(ctx, item, network);
  if (auto v = reader->Get("routes")) ReadRoutes(ctx, *v, network.routes);
  if (auto v = reader->Get("bandwidth")) network.bandwidth = ReadBandwidth(ctx, *v);
  if (auto v = reader->Get("policy"))
    ctx.Error("not-supported", v->path, v->key_span,
              "a network policy on a Jail is not supported yet (FreeBSD enforcement is still to come); remove it");
  CheckShape(ctx, *reader, network);
}

}  // namespace

void ParseJailSpec(ParseContext& ctx, const MappingReader& spec, Jail& jail) {
  if (auto value = spec.Require("path"))
    if (auto path = ReadAbsolutePath(ctx, *value)) jail.path = *path;
  if (auto value = spec.Require("network")) ParseNetwork(ctx, *value, jail.network);
}

}  // namespace berth::model
