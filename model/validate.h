// Cross-resource validation: rules that relate documents to each other or values to each other (references,
// subnets, addresses, MACs, pools, forwards), run on one node's documents after per-document parsing.
#pragma once

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::model {

/// Checks `manifest` as the whole desired configuration of one node. Documents with `doc.valid == false` count
/// only by name (references to them resolve; nothing else of them is checked), so one mistake reports once.
/// Diagnostics come in rule order; LoadManifests sorts them into file order.
Diagnostics ValidateManifest(const Manifest& manifest);

}  // namespace berth::model
