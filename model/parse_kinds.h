// The spec parsers of each kind, called by parse_document.cc once apiVersion, kind and metadata are read.
// Each reads the spec mapping (already checked for unknown and repeated keys) into its record.
#pragma once

#include "model/manifest.h"
#include "model/yaml_walk.h"

namespace berth::model {

void ParseBridgeSpec(ParseContext& ctx, const MappingReader& spec, Bridge& bridge);
void ParseNatSpec(ParseContext& ctx, const MappingReader& spec, Nat& nat);
void ParseVmSpec(ParseContext& ctx, const MappingReader& spec, Vm& vm);
void ParseJailSpec(ParseContext& ctx, const MappingReader& spec, Jail& jail);

}  // namespace berth::model
