// Packet rates of a VM on Linux: a police action with a packet rate (act_police, TCA_POLICE_PKTRATE64, kernel
// 5.14+) in a u32 match-all filter on the ingress hook of each of the VM's two devices, ahead of the redirect
// filter. tap0's ingress is what the VM sends, eth0's what it receives. Pure: the arithmetic the driver shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/manifest.h"
#include "reconciler/desired_builder.h"

namespace berth::reconciler::linux_res {

/// The filter's priority on the ingress hook: below 0x8000, so the redirect filter, which takes the kernel's
/// automatic priority (0xc000 on an empty hook), always comes after it. A filter of this priority that is not
/// berth's shape is replaced.
inline constexpr uint16_t kPolicePrio = 0x0be7;
/// The police action's index in the netns's action table: one per device (tap0, eth0), so a rate is changed in
/// place with RTM_NEWACTION on the index while the filter and the devices stay.
inline constexpr uint32_t kPoliceIndexTap = 0x0be70001;
inline constexpr uint32_t kPoliceIndexPeer = 0x0be70002;
/// The action index berth uses on `dev` (tap0 or eth0); nullopt for any other device.
std::optional<uint32_t> PoliceIndexOf(std::string_view dev);

/// act_police keeps a packet bucket in nanoseconds and reports it in psched ticks (64 ns): the ticks that hold
/// at least `packets` at `pps` (rounded up), and the packets a bucket of `ticks` holds (rounded down).
/// PoliceBurstPackets(PoliceBurstTicks(p)) >= p and is a fixed point, so desired and observed compare equal.
uint64_t PoliceBurstTicks(uint64_t packets, uint64_t pps);
uint64_t PoliceBurstPackets(uint64_t ticks, uint64_t pps);

/// police:NS/tap0 (the VM's egress) and police:NS/eth0 (its ingress) for a VM with spec.network.bandwidth.pps.
void ExpandVmPolice(const model::Vm& vm, const std::string& ns, const Provenance& from, DesiredBuilder& b);

}  // namespace berth::reconciler::linux_res
