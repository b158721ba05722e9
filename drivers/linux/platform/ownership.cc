// Ownership tags in link aliases: "berth owner=<origin> created=<time>".
#include "drivers/linux/platform/ownership.h"

namespace berth::reconciler {
namespace {
constexpr std::string_view kPrefix = "berth owner=";
constexpr std::string_view kCreated = " created=";
}  // namespace

std::string FormatOwnerTag(const OwnerTag& tag) {
  return std::string(kPrefix) + tag.origin + std::string(kCreated) + tag.created;
}

std::optional<OwnerTag> ParseOwnerTag(std::string_view alias) {
  if (alias.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  alias.remove_prefix(kPrefix.size());
  size_t at = alias.find(kCreated);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  OwnerTag tag{std::string(alias.substr(0, at)), std::string(alias.substr(at + kCreated.size()))};
  if (tag.origin.find(' ') != std::string::npos || tag.created.empty()) return std::nullopt;
  return tag;
}

}  // namespace berth::reconciler
