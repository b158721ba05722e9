// Rate limits of a VM on Linux: a tbf as the root qdisc of each of the VM's two devices in its netns. The tc
// redirect passes what the VM sends from tap0 out of eth0, and what it receives from eth0 out of tap0, so
// eth0's root qdisc shapes the VM's egress and tap0's its ingress. Pure: the arithmetic the driver shares.
#pragma once

#include <cstdint>

#include "model/manifest.h"
#include "reconciler/desired_builder.h"

namespace berth::reconciler::linux_res {

/// berth's root qdisc handle, major be7 (0x0be7 << 16): below 0x8000, where the kernel's automatic handles
/// start, so no qdisc someone adds without a handle can take it. A root qdisc with another handle is not berth's.
inline constexpr uint32_t kShaperHandle = 0x0be70000;
/// tbf keeps its bucket in psched ticks of 64 ns (PSCHED_SHIFT 6) and caps it at ~0U ns.
inline constexpr uint64_t kPschedTickNs = 64;
inline constexpr uint64_t kMaxBufferTicks = 0xffffffffULL / kPschedTickNs;

/// The bucket, in ticks, that holds at least `burst` bytes at `rate_bytes` per second (rounded up).
uint64_t TbfBufferTicks(uint64_t burst, uint64_t rate_bytes);
/// The bytes a bucket of `ticks` holds at `rate_bytes` per second (rounded down): what observation reports.
/// TbfBurstBytes(TbfBufferTicks(b)) >= b and is a fixed point, so a desired burst given through it compares
/// equal to what the kernel reports back.
uint64_t TbfBurstBytes(uint64_t ticks, uint64_t rate_bytes);
/// The queue behind the bucket, in bytes: the burst plus 50 ms at the rate (tc's `latency 50ms`).
uint32_t TbfLimit(uint64_t burst, uint64_t rate_bytes);

/// qdisc:NS/eth0 (egress) and qdisc:NS/tap0 (ingress) for a VM with spec.network.bandwidth's bit rates. Its
/// packet rates are rules at its bridge port (linux_policy.h).
void ExpandVmBandwidth(const model::Vm& vm, const std::string& ns, const Provenance& from, DesiredBuilder& b);

}  // namespace berth::reconciler::linux_res
