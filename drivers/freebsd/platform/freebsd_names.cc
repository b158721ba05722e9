// FreeBSD's derived names; see freebsd_names.h.
#include "drivers/freebsd/platform/freebsd_names.h"

#include <algorithm>
#include <set>

namespace berth::reconciler::freebsd_res {
namespace {

std::string JailDerived(char role, std::string_view jail, std::string_view ifname) {
  const uint32_t h = Fnv1a(ifname, Fnv1a("/", Fnv1a(jail, Fnv1a("Jail/"))));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = {'b', role};
  for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out;
}

}  // namespace

uint32_t Fnv1a(std::string_view s, uint32_t h) {
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

std::map<std::string, int> HashSlots(std::vector<std::string> ids, int count) {
  std::sort(ids.begin(), ids.end());
  std::map<std::string, int> out;
  std::set<int> taken;
  for (const auto& id : ids) {
    int slot = int(Fnv1a(id) % uint32_t(count));
    for (int tries = 0; tries < count && taken.count(slot); ++tries) slot = (slot + 1) % count;
    if (taken.count(slot)) break;
    taken.insert(slot);
    out[id] = slot;
  }
  return out;
}

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
