// "Did you mean" suggestions for misspelt keys, kinds and enum values.
// Near misses are found by edit distance after folding case and '_'/'-', so "boot_args" finds "bootArgs".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::model {

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions.
size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, when it is close enough to be a plausible typo; nullopt otherwise.
std::optional<std::string> ClosestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

/// `token` in double quotes for a diagnostic, cut after kMaxQuotedToken bytes: a message names the offending
/// value but never carries a whole line of a file that was not meant to be a manifest (a symlinked secret).
inline constexpr size_t kMaxQuotedToken = 48;
std::string QuoteToken(std::string_view token);
/// `token` cut the same way, unquoted (for field paths built from keys).
std::string ShortToken(std::string_view token);

/// " (did you mean \"x\"?)" for the closest candidate, or "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace berth::model
