// Rates and sizes in tc(8)'s units (tc/tc_util.c get_rate64 and get_size read units case-insensitively), in
// exact integer arithmetic: "1.5mbit" is 1500000 bit/s, and a value that is not whole is an error, not rounded.
#include "model/parse_bandwidth.h"

#include <algorithm>
#include <cctype>

namespace berth::model {
namespace {

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr uint64_t kKi = 1024;
constexpr Unit kRateUnits[] = {
    {"bit", 1},           {"kbit", 1'000},           {"mbit", 1'000'000},           {"gbit", 1'000'000'000},
    {"tbit", 1'000'000'000'000}, {"kibit", kKi}, {"mibit", kKi * kKi}, {"gibit", kKi * kKi * kKi},
    {"tibit", kKi * kKi * kKi * kKi},
};
constexpr std::string_view kByteRateUnits[] = {"bps", "kbps", "mbps", "gbps", "tbps", "kibps", "mibps", "gibps", "tibps"};
constexpr Unit kSizeUnits[] = {
    {"b", 1}, {"k", kKi}, {"kb", kKi}, {"m", kKi * kKi}, {"mb", kKi * kKi}, {"g", kKi * kKi * kKi}, {"gb", kKi * kKi * kKi},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// "12.5" and a unit factor into a whole number; nullopt when malformed, not whole, or above `max`.
std::optional<uint64_t> Scale(std::string_view number, uint64_t factor, uint64_t max, std::string& why) {
  __extension__ typedef unsigned __int128 U128;  // GCC and Clang; -Wpedantic wants the marker
  const size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  auto digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  if (whole.empty() || !digits(whole) || (dot != std::string_view::npos && (frac.empty() || !digits(frac)))) {
    why = "expected a number such as 200 or 1.5 before the unit";
    return std::nullopt;
  }
  // More digits than any valid value has is an overflow, whatever they are (and keeps U128 from wrapping).
  if (whole.size() > 20 || frac.size() > 12) {
    why = "the number is too large or too precise";
    return std::nullopt;
  }
  U128 scaled = 0, denominator = 1;
  for (char c : whole) scaled = scaled * 10 + static_cast<unsigned>(c - '0');
  for (char c : frac) {
    scaled = scaled * 10 + static_cast<unsigned>(c - '0');
    denominator *= 10;
  }
  scaled *= factor;
  if (scaled % denominator != 0) {
    why = "is not a whole number of the base unit";
    return std::nullopt;
  }
  scaled /= denominator;
  if (scaled > max) {
    why = "is too large";
    return std::nullopt;
  }
  return static_cast<uint64_t>(scaled);
}

/// Splits "200mbit" into "200" and "mbit".
std::pair<std::string_view, std::string_view> SplitUnit(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  return {text.substr(0, i), text.substr(i)};
}

}  // namespace

std::optional<uint64_t> ParseRateText(std::string_view text, std::string& why) {
  auto [number, unit_text] = SplitUnit(text);
  const std::string unit = Lower(unit_text);
  if (unit.empty()) {
    why = "a rate needs a unit, such as 200mbit (tc reads a bare number as bit/s)";
    return std::nullopt;
  }
  if (std::find(std::begin(kByteRateUnits), std::end(kByteRateUnits), unit) != std::end(kByteRateUnits)) {
    why = "'" + std::string(unit_text) + "' is bytes per second to tc(8) (mbps is megabytes); write the rate in bits: "
          "bit, kbit, mbit, gbit, tbit (or kibit, mibit, gibit, tibit)";
    return std::nullopt;
  }
  const Unit* u = std::find_if(std::begin(kRateUnits), std::end(kRateUnits), [&](const Unit& x) { return x.name == unit; });
  if (u == std::end(kRateUnits)) {
    why = "unknown unit '" + std::string(unit_text) + "': use bit, kbit, mbit, gbit, tbit (or kibit, mibit, gibit, tibit)";
    return std::nullopt;
  }
  std::string scale_why;
  auto bits = Scale(number, u->factor, UINT64_MAX, scale_why);
  if (!bits) {
    why = scale_why.starts_with("is ") ? "the rate " + scale_why + " in bit/s" : scale_why;
    return std::nullopt;
  }
  if (*bits < kMinRateBits || *bits > kMaxRateBits) {
    why = "the rate must be between 8kbit and 10tbit (got " + std::to_string(*bits) + " bit/s)";
    return std::nullopt;
  }
  if (*bits % 8 != 0) {
    why = "the rate is " + std::to_string(*bits) + " bit/s, not a whole number of bytes per second (the kernel counts bytes)";
    return std::nullopt;
  }
  return bits;
}

std::optional<uint64_t> ParseSizeText(std::string_view text, std::string& why) {
  auto [number, unit_text] = SplitUnit(text);
  const std::string unit = Lower(unit_text);
  uint64_t factor = 1;
  if (!unit.empty()) {
    const Unit* u = std::find_if(std::begin(kSizeUnits), std::end(kSizeUnits), [&](const Unit& x) { return x.name == unit; });
    if (u == std::end(kSizeUnits)) {
      why = "unknown unit '" + std::string(unit_text) + "': use b, kb, mb or gb (powers of 1024), or a bare number of bytes";
      return std::nullopt;
    }
    factor = u->factor;
  }
  std::string scale_why;
  auto bytes = Scale(number, factor, kMaxBurstBytes, scale_why);
  if (!bytes) {
    why = scale_why.starts_with("is ") ? "the size " + scale_why + " in bytes" : scale_why;
    if (scale_why == "is too large") why = "the size is above 1 GiB, more than berth puts in a kernel bucket";
    return std::nullopt;
  }
  return bytes;
}

std::string FormatRate(uint64_t bits) {
  static constexpr Unit kPrint[] = {{"Tbit", 1'000'000'000'000}, {"Gbit", 1'000'000'000}, {"Mbit", 1'000'000}, {"Kbit", 1'000}};
  for (const Unit& u : kPrint)
    if (bits >= u.factor && bits % u.factor == 0) return std::to_string(bits / u.factor) + std::string(u.name);
  return std::to_string(bits) + "bit";
}

uint64_t BandwidthBurst(const Bandwidth& bandwidth, uint64_t rate_bits) {
  if (bandwidth.burst_bytes) return *bandwidth.burst_bytes;
  const uint64_t bytes_per_s = rate_bits / 8;
  return std::min({std::max<uint64_t>(bytes_per_s / 100, 32 * 1024), bytes_per_s * kMaxBurstSeconds, kMaxBurstBytes});
}

std::optional<Bandwidth> ReadBandwidth(ParseContext& ctx, const Value& value) {
  auto reader = MappingReader::Open(ctx, value, keys::kBandwidth);
  if (!reader) return std::nullopt;
  Bandwidth bw;
  bw.span = value.key_span;
  bool ok = true;
  for (auto [key, out] : {std::pair{"egress", &bw.egress_bits}, std::pair{"ingress", &bw.ingress_bits}}) {
    auto v = reader->Get(key);
    if (!v) continue;
    // A plain scalar is read as text whatever YAML would make of it: 200 gets "needs a unit", not "quote it".
    std::optional<std::string> text;
    if (v->node.IsScalar() && v->node.Tag() == "?") text = v->node.Scalar();
    else text = ReadString(ctx, *v);
    if (!text) {
      ok = false;
      continue;
    }
    std::string why;
    *out = ParseRateText(*text, why);
    if (!*out) {
      ctx.Error("invalid-rate", v->path, v->span, "invalid rate '" + *text + "': " + why);
      ok = false;
    }
  }
  if (auto v = reader->Get("burst")) {
    std::optional<std::string> text;
    if (v->node.IsScalar() && v->node.Tag() == "?") text = v->node.Scalar();  // 65536 is a number of bytes
    else text = ReadString(ctx, *v);
    std::string why;
    if (text) bw.burst_bytes = ParseSizeText(*text, why);
    if (text && !bw.burst_bytes) ctx.Error("invalid-size", v->path, v->span, "invalid burst '" + *text + "': " + why);
    if (bw.burst_bytes && *bw.burst_bytes < kMinBurstBytes) {
      ctx.Error("out-of-range", v->path, v->span,
                "burst " + std::to_string(*bw.burst_bytes) + " bytes is smaller than one full frame (" +
                    std::to_string(kMinBurstBytes) + " bytes): every full-sized frame would be dropped");
      bw.burst_bytes.reset();
    }
    if (bw.burst_bytes) {
      for (auto rate : {bw.egress_bits, bw.ingress_bits}) {
        if (!rate || *bw.burst_bytes <= *rate / 8 * kMaxBurstSeconds) continue;
        ctx.Error("out-of-range", v->path, v->span,
                  "burst " + std::to_string(*bw.burst_bytes) + " bytes is more than " + std::to_string(kMaxBurstSeconds) +
                      " s of traffic at " + FormatRate(*rate) + ": the kernel's token bucket holds at most 4.29 s");
        break;
      }
    }
    if (!bw.burst_bytes) ok = false;
  }
  if (auto v = reader->Get("pps"); v && !ReadPps(ctx, *v, bw)) ok = false;
  if (auto v = reader->Get("burst"); v && !reader->Has("egress") && !reader->Has("ingress") && reader->Has("pps")) {
    ctx.Error("unused-field", v->path, v->span,
              "burst is the token bucket of the bit rates (egress, ingress), and none is given: a burst in packets "
              "goes in pps (pps: {burst: 32})");
    ok = false;
  }
  if (!reader->Has("egress") && !reader->Has("ingress") && !reader->Has("pps")) {
    ctx.Error("missing-field", value.path, value.key_span,
              "bandwidth needs \"egress\", \"ingress\" or \"pps\": the rate each direction is limited to");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return bw;
}

}  // namespace berth::model
