// Derived names; see naming.h for why the model owns them.
#include "model/naming.h"

namespace berth::model {

std::string VmNetnsName(std::string_view vm) { return std::string(kNetnsPrefix) + std::string(vm); }
std::string VmHostVethName(std::string_view vm) { return "bv-" + std::string(vm); }

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
