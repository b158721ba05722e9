// kind: Bridge. Per-document shape only; the pool's relation to the subnet is checked in validate_addresses.cc.
#include "model/parse_kinds.h"
#include "model/parse_policy.h"
#include "model/parse_values.h"

namespace berth::model {

// A /31 or /32 bridge leaves no address for a workload; anything wider than /8 is surely a typo.
inline constexpr int kMinBridgePrefix = 8;
inline constexpr int kMaxBridgePrefix = 30;

void ParseBridgeSpec(ParseContext& ctx, const MappingReader& spec, Bridge& bridge) {
  if (auto value = spec.Require("address")) {
    if (auto address = ReadCidr(ctx, *value)) {
      if (address->prefix < kMinBridgePrefix || address->prefix > kMaxBridgePrefix)
        ctx.Error("invalid-prefix", value->path, value->span,
                  "a bridge subnet needs a prefix between /" + std::to_string(kMinBridgePrefix) + " and /" +
                      std::to_string(kMaxBridgePrefix) + ", got /" + std::to_string(address->prefix));
      bridge.address = *address;
    }
  }
  if (auto value = spec.Get("mtu"))
    if (auto mtu = ReadIntegerInRange(ctx, *value, 68, 65535, "invalid-mtu")) bridge.mtu = static_cast<int>(*mtu);
  if (auto value = spec.Get("pool"))
    if (auto pool = ReadCidr(ctx, *value)) bridge.pool = *pool;
  if (auto value = spec.Get("policy")) bridge.policy = ParsePolicy(ctx, *value);
}

}  // namespace berth::model
