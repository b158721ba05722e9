// FreeBSD's derived names; see freebsd_names.h.
#include "drivers/freebsd/platform/freebsd_names.h"

#include <cstdint>

namespace berth::reconciler::freebsd_res {
namespace {

std::string JailDerived(char role, std::string_view jail, std::string_view ifname) {
  // FNV-1a, 32 bits: stable across runs and builds, unlike std::hash.
  uint32_t h = 2166136261u;
  auto feed = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
  };
  feed("Jail/");
  feed(jail);
  feed("/");
  feed(ifname);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = {'b', role};
  for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out;
}

}  // namespace

std::string JailEpairName(std::string_view jail, std::string_view ifname, char end) {
  return JailDerived('j', jail, ifname) + end;
}
std::string JailUplinkName(std::string_view jail, std::string_view ifname, char end) {
  return JailDerived('u', jail, ifname) + end;
}
std::string JailSecureBridgeName(std::string_view jail, std::string_view ifname) {
  return JailDerived('s', jail, ifname);
}

}  // namespace berth::reconciler::freebsd_res
