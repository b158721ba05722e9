// Derived names; see naming.h for why the model owns them.
#include "model/naming.h"

#include <cstdint>

namespace berth::model {

std::string VmNetnsName(std::string_view vm) { return std::string(kNetnsPrefix) + std::string(vm); }
std::string VmHostVethName(std::string_view vm) { return "bv-" + std::string(vm); }

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

bool IsHex8(std::string_view s) {
  if (s.size() != 8) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
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

bool IsReservedJailInterfaceName(std::string_view name) {
  if (name == "lo0") return true;
  if (name.size() >= 10 && name[0] == 'b' && (name[1] == 'j' || name[1] == 'u' || name[1] == 's') &&
      IsHex8(name.substr(2, 8)) && (name.size() == 10 || (name.size() == 11 && (name[10] == 'a' || name[10] == 'b'))))
    return true;
  if (name.starts_with("epair") && name.size() > 6 && (name.back() == 'a' || name.back() == 'b')) {
    std::string_view unit = name.substr(5, name.size() - 6);
    bool digits = true;
    for (char c : unit) digits = digits && c >= '0' && c <= '9';
    if (digits) return true;
  }
  return false;
}

bool IsSafeName(std::string_view name, bool allow_dot_underscore) {
  if (name.empty() || name.back() == '-') return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front())) return false;
  for (char c : name) {
    if (alnum(c) || c == '-') continue;
    if (allow_dot_underscore && (c == '.' || c == '_')) continue;
    return false;
  }
  return true;
}

}  // namespace berth::model
