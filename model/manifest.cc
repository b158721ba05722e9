// Small helpers of the manifest records.
#include "model/manifest.h"

namespace berth::model {

const char* ToString(Protocol protocol) {
  return protocol == Protocol::kTcp ? "tcp" : protocol == Protocol::kUdp ? "udp" : "sctp";
}

const char* ToString(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kDisabled: return "disabled";
    case NetworkMode::kLoopback: return "loopback";
    case NetworkMode::kOutbound: return "outbound";
    case NetworkMode::kFull: return "full";
  }
  return "?";
}

std::optional<NetworkMode> ParseNetworkMode(std::string_view text) {
  for (NetworkMode mode : {NetworkMode::kDisabled, NetworkMode::kLoopback, NetworkMode::kOutbound, NetworkMode::kFull})
    if (text == ToString(mode)) return mode;
  return std::nullopt;
}

const Bridge* Manifest::FindBridge(const std::string& name) const {
  for (const Bridge& bridge : bridges)
    if (bridge.doc.metadata.name == name) return &bridge;
  return nullptr;
}

bool Manifest::LaunchesVms() const {
  for (const Vm& vm : vms)
    if (vm.qemu || vm.firecracker) return true;
  return false;
}

}  // namespace berth::model
