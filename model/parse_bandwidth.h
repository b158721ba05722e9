// spec.network.bandwidth: rates and burst sizes in tc(8)'s units, read exactly (integer arithmetic, no
// rounding), and the limits a kernel shaper can honour. The text functions are pure and exposed for tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/manifest.h"
#include "model/yaml_walk.h"

namespace berth::model {

/// Rates berth accepts, in bits per second. Below 8 kbit/s one full frame takes more than 1.5 s to pass; above
/// 10 tbit/s no device exists. Both ends are inclusive.
inline constexpr uint64_t kMinRateBits = 8'000;
inline constexpr uint64_t kMaxRateBits = 10'000'000'000'000;
/// The smallest burst: one full Ethernet frame at the default MTU (1500 + 14 header bytes). A bucket smaller
/// than a frame would drop every full-sized frame.
inline constexpr uint64_t kMinBurstBytes = 1514;
/// The kernel keeps a tbf bucket as nanoseconds in 32 bits (sch_tbf.c caps it at ~0U ns): at most 4.29 s of
/// traffic at the rate. berth allows 4 s.
inline constexpr uint64_t kMaxBurstSeconds = 4;
/// The largest burst: 1 GiB (a kernel bucket rounds up to whole 64 ns ticks and must stay within 32 bits).
inline constexpr uint64_t kMaxBurstBytes = 1ULL << 30;

/// Packet rates berth accepts (spec.network.bandwidth.pps), in packets per second, inclusive. No device
/// forwards a billion packets per second; one packet a second is the least a policer can count.
inline constexpr uint64_t kMinPps = 1;
inline constexpr uint64_t kMaxPps = 1'000'000'000;
/// A packet burst is 1 to a million packets; without one, 10 ms of packets at the rate, at least this many.
inline constexpr uint64_t kMaxPpsBurst = 1'000'000;
inline constexpr uint64_t kMinDefaultPpsBurst = 8;

/// A rate as tc(8) writes it: a decimal number (an optional fraction) and a unit of bits per second, any case as
/// tc reads them (strcasecmp): bit, kbit, mbit, gbit, tbit (powers of 1000), kibit, mibit, gibit, tibit (of
/// 1024). tc's byte rates (bps, kbps, mbps...: "mbps" is megaBYTES per second to tc) and bare numbers are
/// refused as ambiguous. The value must be a whole number of bytes per second (the kernel counts bytes).
/// Returns bits per second, or nullopt with `why` set.
std::optional<uint64_t> ParseRateText(std::string_view text, std::string& why);
/// A size as tc(8) writes it: a decimal number and b, k/kb, m/mb, g/gb (powers of 1024), any case; a bare
/// number is bytes. Returns bytes, or nullopt with `why` set.
std::optional<uint64_t> ParseSizeText(std::string_view text, std::string& why);

/// The rate the way tc prints it: the largest of bit, Kbit, Mbit, Gbit, Tbit that divides it ("200Mbit").
std::string FormatRate(uint64_t bits);
/// The burst for `rate_bits`: the given one, else 10 ms of traffic at the rate, at least 32 KiB, at most
/// kMaxBurstSeconds of traffic and kMaxBurstBytes.
uint64_t BandwidthBurst(const Bandwidth& bandwidth, uint64_t rate_bits);

/// The packet burst for `pps`: the given one, else 10 ms of packets at the rate, at least kMinDefaultPpsBurst,
/// at most kMaxPpsBurst.
uint64_t PpsBurst(const Bandwidth& bandwidth, uint64_t pps);
/// Reads spec.network.bandwidth.pps (keys::kBandwidthPps) into `bw`: integers within [kMinPps, kMaxPps], a burst
/// within [1, kMaxPpsBurst], at least one direction (out-of-range, wrong-type, missing-field). False on error.
bool ReadPps(ParseContext& ctx, const Value& value, Bandwidth& bw);

/// Reads spec.network.bandwidth (keys::kBandwidth): at least one of egress, ingress and pps; burst within
/// [kMinBurstBytes, kMaxBurstSeconds at the smaller rate] (invalid-rate, invalid-size, out-of-range,
/// missing-field).
std::optional<Bandwidth> ReadBandwidth(ParseContext& ctx, const Value& value);

}  // namespace berth::model
