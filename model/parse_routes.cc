// ReadRoutes. A route's `to` is compared in network form, so 10.20.0.0/16 given twice is one route twice; a
// `to` with host bits set is refused rather than normalised, as the kernel's `ip route` and route(8) do.
#include "model/parse_routes.h"

#include <map>

#include "model/parse_values.h"

namespace berth::model {
namespace {

constexpr Cidr4 kThisNetwork{Ipv4{0x00000000}, 8};  // 0.0.0.0/8: "this host on this network" (RFC 1122)
constexpr Cidr4 kLoopback{Ipv4{0x7f000000}, 8};
constexpr Cidr4 kMulticastAndUp{Ipv4{0xe0000000}, 3};  // 224.0.0.0/4 multicast and 240.0.0.0/4 reserved

std::optional<Cidr4> ReadTo(ParseContext& ctx, const Value& value) {
  auto to = ReadCidr(ctx, value);
  if (!to) return std::nullopt;
  if (to->prefix == 0) {
    ctx.Error("default-route-conflict", value.path, value.span,
              to->ToString() + " is the default route, which goes through the gateway (the bridge's address, or "
                               "a jail's defaultRouter); give narrower routes here");
    return std::nullopt;
  }
  if (to->address != to->network()) {
    ctx.Error("host-bits-set", value.path, value.span,
              to->ToString() + " has host bits set; did you mean " + to->Network().ToString() + "?");
    return std::nullopt;
  }
  if (to->Overlaps(kThisNetwork) || to->Overlaps(kLoopback)) {
    ctx.Error("invalid-route", value.path, value.span,
              to->ToString() + " overlaps " + (to->Overlaps(kLoopback) ? kLoopback : kThisNetwork).ToString() +
                  ", which never leaves the workload");
    return std::nullopt;
  }
  return to;
}

std::optional<Ipv4> ReadVia(ParseContext& ctx, const Value& value) {
  auto via = ReadIpv4(ctx, value);
  if (!via) return std::nullopt;
  if (kThisNetwork.Contains(*via) || kLoopback.Contains(*via) || kMulticastAndUp.Contains(*via)) {
    ctx.Error("invalid-route-via", value.path, value.span,
              via->ToString() + " cannot be a next hop: give a unicast address on the workload's subnet");
    return std::nullopt;
  }
  return via;
}

}  // namespace

void ReadRoutes(ParseContext& ctx, const Value& value, std::vector<Route>& routes) {
  auto items = ReadSequence(ctx, value);
  if (!items) return;
  if (items->size() > kMaxRoutes) {
    ctx.Error("too-many-routes", value.path, value.key_span,
              std::to_string(items->size()) + " routes given; at most " + std::to_string(kMaxRoutes));
    return;  // every entry would only add noise
  }
  std::map<Cidr4, size_t> first;  // to -> index of the entry that gave it first
  for (size_t i = 0; i < items->size(); ++i) {
    const Value& item = (*items)[i];
    auto reader = MappingReader::Open(ctx, item, keys::kRoute);
    if (!reader) continue;
    std::optional<Cidr4> to;
    std::optional<Ipv4> via;
    auto to_value = reader->Require("to");
    if (to_value) to = ReadTo(ctx, *to_value);
    if (auto v = reader->Require("via")) via = ReadVia(ctx, *v);
    if (!to || !via) continue;
    auto [it, inserted] = first.emplace(*to, i);
    if (!inserted) {
      ctx.Error("duplicate-route", to_value->path, to_value->span,
                "a route to " + to->ToString() + " is already given (routes[" + std::to_string(it->second) +
                    "]); a destination has one next hop");
      continue;
    }
    routes.push_back(Route{*to, *via, item.span});
  }
}

}  // namespace berth::model
