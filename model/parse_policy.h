// The reader of a policy block, shared by the Bridge (spec.policy) and VM (spec.network.policy) parsers.
#pragma once

#include <optional>

#include "model/policy.h"
#include "model/yaml_walk.h"

namespace berth::model {

/// Reads a policy mapping; reports every malformed entry (coded diagnostics at the entry) and keeps the rest.
std::optional<Policy> ParsePolicy(ParseContext& ctx, const Value& value);
/// port: 443 or port: "8000-8099" (invalid-port, invalid-port-range).
std::optional<PortRange> ReadPortRange(ParseContext& ctx, const Value& value);

}  // namespace berth::model
