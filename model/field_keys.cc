// The table of accepted mappings; see field_keys.h.
#include "model/field_keys.h"

namespace berth::model {

const std::vector<AcceptedMapping>& AcceptedMappings() {
  static const std::vector<AcceptedMapping> table = {
      {"*", "", &keys::kDocument},
      {"*", "metadata", &keys::kMetadata},
      {"Bridge", "spec", &keys::kBridgeSpec},
      {"Bridge", "spec.policy", &keys::kPolicy},
      {"Bridge", "spec.policy.host[]", &keys::kPolicyHost},
      {"Bridge", "spec.policy.egress", &keys::kPolicyEgress},
      {"Bridge", "spec.policy.egress.allow[]", &keys::kPolicyEgressRule},
      {"Bridge", "spec.policy.egress.deny[]", &keys::kPolicyEgressRule},
      {"NAT", "spec", &keys::kNatSpec},
      {"NAT", "spec.source", &keys::kNatSource},
      {"NAT", "spec.forwards[]", &keys::kNatForward},
      {"VM", "spec", &keys::kVmSpec},
      {"VM", "spec.network", &keys::kVmNetwork},
      {"VM", "spec.network.dns", &keys::kDns},
      {"VM", "spec.network.routes[]", &keys::kRoute},
      {"VM", "spec.network.bandwidth", &keys::kBandwidth},
      {"VM", "spec.network.bandwidth.pps", &keys::kBandwidthPps},
      {"VM", "spec.network.policy", &keys::kPolicy},
      {"VM", "spec.network.policy.host[]", &keys::kPolicyHost},
      {"VM", "spec.network.policy.egress", &keys::kPolicyEgress},
      {"VM", "spec.network.policy.egress.allow[]", &keys::kPolicyEgressRule},
      {"VM", "spec.network.policy.egress.deny[]", &keys::kPolicyEgressRule},
      {"VM", "spec.firecracker", &keys::kFirecracker},
      {"VM", "spec.firecracker.jailer", &keys::kJailer},
      {"VM", "spec.qemu", &keys::kQemu},
      {"Jail", "spec", &keys::kJailSpec},
      {"Jail", "spec.network", &keys::kJailNetwork},
      {"Jail", "spec.network.dns", &keys::kDns},
      {"Jail", "spec.network.routes[]", &keys::kRoute},
      {"Jail", "spec.network.bandwidth", &keys::kBandwidth},
      {"Jail", "spec.network.bandwidth.pps", &keys::kBandwidthPps},
      {"Jail", "spec.network.interfaces[]", &keys::kJailInterface},
  };
  return table;
}

}  // namespace berth::model
