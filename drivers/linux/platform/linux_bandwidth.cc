// The tbf arithmetic (as net/sched/sch_tbf.c keeps a bucket) and the expansion of a VM's bandwidth block.
#include "drivers/linux/platform/linux_bandwidth.h"

#include <algorithm>

#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_resources.h"
#include "model/parse_bandwidth.h"

namespace berth::reconciler::linux_res {
namespace {

__extension__ typedef unsigned __int128 U128;  // GCC and Clang; -Wpedantic wants the marker
constexpr uint64_t kNsPerSec = 1'000'000'000;

}  // namespace

uint64_t TbfBufferTicks(uint64_t burst, uint64_t rate_bytes) {
  if (rate_bytes == 0) return 0;
  const U128 per_tick = static_cast<U128>(rate_bytes) * kPschedTickNs;  // bytes per tick, times 1e9
  const U128 ticks = (static_cast<U128>(burst) * kNsPerSec + per_tick - 1) / per_tick;
  return static_cast<uint64_t>(std::min<U128>(ticks, kMaxBufferTicks));
}

uint64_t TbfBurstBytes(uint64_t ticks, uint64_t rate_bytes) {
  return static_cast<uint64_t>(static_cast<U128>(ticks) * kPschedTickNs * rate_bytes / kNsPerSec);
}

uint32_t TbfLimit(uint64_t burst, uint64_t rate_bytes) {
  return static_cast<uint32_t>(std::min<uint64_t>(burst + rate_bytes / 20, 0xffffffffULL));
}

void ExpandVmBandwidth(const model::Vm& vm, const std::string& ns, const Provenance& from, DesiredBuilder& b) {
  if (!vm.network.bandwidth) return;
  const model::Bandwidth& bw = *vm.network.bandwidth;
  for (auto [rate, dev] : {std::pair{bw.egress_bits, kVmPeerName}, std::pair{bw.ingress_bits, kVmTapName}}) {
    if (!rate) continue;
    const uint64_t rate_bytes = *rate / 8;
    const uint64_t burst = TbfBurstBytes(TbfBufferTicks(model::BandwidthBurst(bw, *rate), rate_bytes), rate_bytes);
    b.Add(kQdisc, ns, std::string(dev), {{kRate, std::to_string(*rate)}, {kBurst, std::to_string(burst)}}, from);
  }
}

}  // namespace berth::reconciler::linux_res
