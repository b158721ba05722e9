// The keys each mapping of the manifest API accepts, in one place: the parsers read them from here and the
// schema test compares them with schemas/*.json, so the parser and the JSON Schemas cannot drift apart.
#pragma once

#include <string_view>
#include <vector>

namespace berth::model {

/// The keys a mapping accepts. String literals only: the views must outlive every walk.
using KeyList = std::vector<std::string_view>;

namespace keys {
inline const KeyList kDocument = {"apiVersion", "kind", "metadata", "spec"};
inline const KeyList kMetadata = {"name", "labels"};
inline const KeyList kBridgeSpec = {"node", "address", "mtu", "pool", "policy"};
inline const KeyList kNatSpec = {"node", "source", "egress", "forwards"};
inline const KeyList kNatSource = {"bridge"};
inline const KeyList kNatForward = {"protocol", "port", "to", "from", "listen", "localhost"};
inline const KeyList kVmSpec = {"node", "network", "firecracker", "qemu"};
inline const KeyList kVmNetwork = {"bridge", "address", "mac", "mode", "dns", "policy", "routes", "bandwidth"};
inline const KeyList kPolicy = {"host", "peers", "egress"};
inline const KeyList kPolicyHost = {"protocol", "port"};
inline const KeyList kPolicyEgress = {"default", "allow", "deny"};
inline const KeyList kPolicyEgressRule = {"to", "protocol", "port"};
inline const KeyList kFirecracker = {"kernel", "rootfs", "vcpus", "memoryMiB", "bootArgs", "jailer"};
inline const KeyList kJailer = {"uid", "gid", "chrootBase"};
inline const KeyList kQemu = {"kernel", "initrd", "vcpus", "memoryMiB", "bootArgs"};
inline const KeyList kJailSpec = {"node", "path", "network"};
inline const KeyList kJailNetwork = {"vnet", "interfaces", "defaultRouter", "mode", "dns", "ip4", "policy", "routes", "bandwidth"};
inline const KeyList kJailInterface = {"name", "bridge", "secure", "address", "mac"};
inline const KeyList kDns = {"servers", "search", "options"};
inline const KeyList kRoute = {"to", "via"};
inline const KeyList kBandwidth = {"egress", "ingress", "burst", "pps"};
inline const KeyList kBandwidthPps = {"egress", "ingress", "burst"};
}  // namespace keys

/// The kinds of the manifest API v1.
inline const KeyList kKinds = {"Bridge", "NAT", "VM", "Jail"};

/// One mapping the parser reads: its kind ("*" for every kind), its generic path ("" for the document,
/// "spec.forwards[]" for the items of a list) and the keys it accepts.
struct AcceptedMapping {
  std::string_view kind;
  std::string_view path;
  const KeyList* keys;
};

/// Every fixed-key mapping of the API. metadata.labels is absent: its keys are the user's.
const std::vector<AcceptedMapping>& AcceptedMappings();

}  // namespace berth::model
