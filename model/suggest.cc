// Edit distance and typo suggestions.
#include "model/suggest.h"

#include <algorithm>
#include <cctype>

namespace berth::model {

std::string ShortToken(std::string_view token) {
  if (token.size() <= kMaxQuotedToken) return std::string(token);
  return std::string(token.substr(0, kMaxQuotedToken)) + "...";
}

std::string QuoteToken(std::string_view token) {
  if (token.size() <= kMaxQuotedToken) return "\"" + std::string(token) + "\"";
  return "\"" + std::string(token.substr(0, kMaxQuotedToken)) + "\"... (" + std::to_string(token.size()) + " bytes)";
}
namespace {

// Case and separators rarely carry meaning in a typo: "memorymib", "memory_mib" and "MemoryMiB" all mean
// "memoryMiB".
std::string Fold(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> ClosestMatch(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::string folded = Fold(word);
  // Short words tolerate one edit, longer ones two: "mtu" vs "mac" must not match, "adress" vs "address" must.
  const size_t limit = folded.size() <= 4 ? 1 : 2;
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = EditDistance(folded, Fold(candidate));
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto match = ClosestMatch(word, candidates);
  return match ? " (did you mean \"" + *match + "\"?)" : "";
}

}  // namespace berth::model
