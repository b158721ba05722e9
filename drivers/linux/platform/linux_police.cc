// The act_police packet-bucket arithmetic (net/sched/act_police.c keeps tcfp_pkt_burst in ns and dumps it in
// psched ticks) and the expansion of a VM's packet rates.
#include "drivers/linux/platform/linux_police.h"

#include "drivers/linux/platform/linux_bandwidth.h"
#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_resources.h"
#include "model/parse_bandwidth.h"

namespace berth::reconciler::linux_res {
namespace {

__extension__ typedef unsigned __int128 U128;  // GCC and Clang; -Wpedantic wants the marker
constexpr uint64_t kNsPerSec = 1'000'000'000;

}  // namespace

std::optional<uint32_t> PoliceIndexOf(std::string_view dev) {
  if (dev == kVmTapName) return kPoliceIndexTap;
  if (dev == kVmPeerName) return kPoliceIndexPeer;
  return std::nullopt;
}

uint64_t PoliceBurstTicks(uint64_t packets, uint64_t pps) {
  if (pps == 0) return 0;
  const U128 per_tick = static_cast<U128>(pps) * kPschedTickNs;  // packets per tick, times 1e9
  return static_cast<uint64_t>((static_cast<U128>(packets) * kNsPerSec + per_tick - 1) / per_tick);
}

uint64_t PoliceBurstPackets(uint64_t ticks, uint64_t pps) {
  return static_cast<uint64_t>(static_cast<U128>(ticks) * kPschedTickNs * pps / kNsPerSec);
}

void ExpandVmPolice(const model::Vm& vm, const std::string& ns, const Provenance& from, DesiredBuilder& b) {
  if (!vm.network.bandwidth) return;
  const model::Bandwidth& bw = *vm.network.bandwidth;
  // What the VM sends arrives on tap0; what it receives arrives on eth0 (then each is redirected to the other).
  for (auto [pps, dev] : {std::pair{bw.egress_pps, kVmTapName}, std::pair{bw.ingress_pps, kVmPeerName}}) {
    if (!pps) continue;
    const uint64_t burst = PoliceBurstPackets(PoliceBurstTicks(model::PpsBurst(bw, *pps), *pps), *pps);
    b.Add(kPolice, ns, std::string(dev), {{kPktRate, std::to_string(*pps)}, {kPktBurst, std::to_string(burst)}}, from);
  }
}

}  // namespace berth::reconciler::linux_res
