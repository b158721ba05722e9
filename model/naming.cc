// Name rules and the derived names validation checks; see naming.h.
#include "model/naming.h"

#include <cstdint>

namespace berth::model {

std::string VmHostVethName(std::string_view vm) { return "bv-" + std::string(vm); }

namespace {

bool IsHex8(std::string_view s) {
  if (s.size() != 8) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

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
