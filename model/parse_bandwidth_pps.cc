// spec.network.bandwidth.pps: packet rates per direction and a burst in packets, whole numbers only (a packet
// rate has no unit to misread; "20k" or "2e4" are refused rather than guessed at).
#include <algorithm>

#include "model/parse_bandwidth.h"
#include "model/parse_values.h"

namespace berth::model {

uint64_t PpsBurst(const Bandwidth& bandwidth, uint64_t pps) {
  if (bandwidth.pps_burst) return *bandwidth.pps_burst;
  return std::min(std::max<uint64_t>(pps / 100, kMinDefaultPpsBurst), kMaxPpsBurst);
}

bool ReadPps(ParseContext& ctx, const Value& value, Bandwidth& bw) {
  auto reader = MappingReader::Open(ctx, value, keys::kBandwidthPps);
  if (!reader) return false;
  bw.pps_span = value.key_span;
  bool ok = true;
  for (auto [key, out] : {std::pair{"egress", &bw.egress_pps}, std::pair{"ingress", &bw.ingress_pps}}) {
    auto v = reader->Get(key);
    if (!v) continue;
    auto n = ReadIntegerInRange(ctx, *v, static_cast<int64_t>(kMinPps), static_cast<int64_t>(kMaxPps), "out-of-range");
    if (n) *out = static_cast<uint64_t>(*n);
    else ok = false;
  }
  if (auto v = reader->Get("burst")) {
    auto n = ReadIntegerInRange(ctx, *v, 1, static_cast<int64_t>(kMaxPpsBurst), "out-of-range");
    if (n) bw.pps_burst = static_cast<uint64_t>(*n);
    else ok = false;
  }
  if (!reader->Has("egress") && !reader->Has("ingress")) {
    ctx.Error("missing-field", value.path, value.key_span,
              "pps needs \"egress\" or \"ingress\" (or both): the packets per second each direction is limited to");
    ok = false;
  }
  return ok;
}

}  // namespace berth::model
