// The table of accepted mappings; see field_keys.h.
#include "model/field_keys.h"

namespace berth::model {

const std::vector<AcceptedMapping>& AcceptedMappings() {
  static const std::vector<AcceptedMapping> table = {
      {"*", "", &keys::kDocument},
      {"*", "metadata", &keys::kMetadata},
      {"Bridge", "spec", &keys::kBridgeSpec},
      {"NAT", "spec", &keys::kNatSpec},
      {"NAT", "spec.source", &keys::kNatSource},
      {"NAT", "spec.forwards[]", &keys::kNatForward},
      {"VM", "spec", &keys::kVmSpec},
      {"VM", "spec.network", &keys::kVmNetwork},
      {"VM", "spec.firecracker", &keys::kFirecracker},
      {"VM", "spec.firecracker.jailer", &keys::kJailer},
      {"VM", "spec.qemu", &keys::kQemu},
      {"Jail", "spec", &keys::kJailSpec},
      {"Jail", "spec.network", &keys::kJailNetwork},
      {"Jail", "spec.network.interfaces[]", &keys::kJailInterface},
  };
  return table;
}

}  // namespace berth::model
