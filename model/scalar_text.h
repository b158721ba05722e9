// What the YAML 1.2 core schema makes of a plain scalar's text: booleans, integers (decimal, 0o octal, 0x
// hex), floats (with .inf and .nan). Hand-written scanners: they run for every scalar of every manifest.
#pragma once

#include <string_view>

namespace berth::model {

bool LooksLikeBool(std::string_view s);
/// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
bool LooksLikeInteger(std::string_view s);
/// An integer, or [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
bool LooksLikeNumber(std::string_view s);
/// A Kubernetes-shaped label key: [A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?, at most 253 characters.
bool IsLabelKey(std::string_view s);

}  // namespace berth::model
