// `ipfw -v pipe show`: one header line per pipe ("21007:  16.000 Mbit/s    0 ms burst 32768"), followed by its
// queue and scheduler lines, which berth does not read.
#include <cctype>
#include <sstream>

#include "drivers/freebsd/parse.h"

namespace berth::drivers::freebsd {
namespace {

/// "16.000" and a unit factor to whole bits; the listing has three decimals of the unit.
std::optional<uint64_t> Bits(const std::string& number, uint64_t factor) {
  const size_t dot = number.find('.');
  const std::string whole = number.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : number.substr(dot + 1);
  if (whole.empty() || whole.size() > 10 || frac.size() > 3) return std::nullopt;
  for (char c : whole + frac)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  frac.resize(3, '0');
  return std::stoull(whole) * factor + std::stoull(frac) * (factor / 1000);
}

}  // namespace

std::vector<DummynetPipe> ParsePipeShow(std::string_view text) {
  std::vector<DummynetPipe> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    // Only header lines start with the five-digit number and a colon.
    if (line.size() < 6 || line[5] != ':') continue;
    bool digits = true;
    for (int i = 0; i < 5; ++i) digits = digits && std::isdigit(static_cast<unsigned char>(line[i]));
    if (!digits) continue;
    DummynetPipe p;
    p.number = std::stoi(line.substr(0, 5));
    std::istringstream words(line.substr(6));
    std::string rate, unit, delay, ms, burst_word, burst;
    if (!(words >> rate)) continue;
    if (rate == "unlimited") {
      unit = "bit/s";
      p.bw_bits = 0;
    } else {
      if (!(words >> unit)) continue;
      const uint64_t factor = unit == "Gbit/s" ? 1'000'000'000 : unit == "Mbit/s" ? 1'000'000 : unit == "Kbit/s" ? 1'000 : unit == "bit/s" ? 1'000 : 0;
      auto bits = factor ? Bits(rate, factor) : std::nullopt;
      if (!bits) continue;
      p.bw_bits = unit == "bit/s" ? *bits / 1000 : *bits;  // "%7.3f bit/s": the decimals are zero
    }
    if (!(words >> delay >> ms >> burst_word >> burst) || ms != "ms" || burst_word != "burst") continue;
    bool ok = !burst.empty() && burst.size() <= 10;
    for (char c : burst) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    if (!ok) continue;
    p.burst = std::stoull(burst);
    out.push_back(p);
  }
  return out;
}

}  // namespace berth::drivers::freebsd
