// The FreeBSD ownership tag: "berth owner=<origin>[ key=value]...".
#include "drivers/freebsd/platform/freebsd_tag.h"

#include <sstream>

namespace berth::reconciler::freebsd_res {
namespace {
constexpr std::string_view kPrefix = "berth owner=";
}  // namespace

std::string FormatFreeBsdTag(const FreeBsdTag& tag) {
  std::string out = std::string(kPrefix) + tag.owner;
  for (const auto& [key, value] : tag.fields) out += " " + key + "=" + value;
  return out;
}

std::optional<FreeBsdTag> ParseFreeBsdTag(std::string_view text) {
  if (!text.starts_with(kPrefix)) return std::nullopt;
  std::istringstream words{std::string(text.substr(kPrefix.size()))};
  FreeBsdTag tag;
  if (!(words >> tag.owner) || tag.owner.find('/') == std::string::npos) return std::nullopt;
  for (std::string word; words >> word;) {
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    tag.fields[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return tag;
}

}  // namespace berth::reconciler::freebsd_res
