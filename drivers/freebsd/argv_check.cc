// Argv value checks.
#include "drivers/freebsd/argv_check.h"

#include "model/naming.h"
#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::drivers::freebsd {
namespace {
bool Alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
}  // namespace

bool IsSafeInterfaceName(std::string_view name) {
  if (name.empty() || name.size() > model::kMaxInterfaceName || !Alnum(name.front())) return false;
  for (char c : name)
    if (!Alnum(c) && c != '_' && c != '.' && c != ':' && c != '-') return false;
  return true;
}

bool IsSafeJailName(std::string_view name) {
  return name.size() <= model::kMaxResourceName && name.find('.') == std::string_view::npos &&
         model::IsSafeName(name, /*allow_dot_underscore=*/true);
}

bool IsSafePath(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string_view::npos ||
      path.find('\n') != std::string_view::npos)
    return false;
  std::string s = std::string(path) + "/";
  return s.find("/../") == std::string::npos;
}

bool IsSafeText(std::string_view text) {
  if (text.size() > 1024) return false;
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool IsSafeAnchor(std::string_view anchor) {
  const std::string prefix = std::string(reconciler::freebsd_res::kPfAnchor) + "/";
  if (!anchor.starts_with(prefix)) return false;
  return model::IsSafeName(anchor.substr(prefix.size()));
}

}  // namespace berth::drivers::freebsd
