// What an update changes in a long attribute, as a plan shows it to people: the lines it removes and adds,
// and inside a line that differs only in its lists ("{ a, b, ... }": set elements, map entries), the elements
// each list loses and gains. Adding one forward to a NAT with 800 is then two elements, not two lines of
// 30,000 characters. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berth::reconciler {

/// A value shown in full on the attribute's line; longer ones (several lines, or one line over 160
/// characters) are summarised there and their change described below it.
bool IsShortValue(std::string_view value);

/// The change from `before` to `after`, one item per line: "- LINE", "+ LINE", or for a line whose lists
/// alone differ "~ LINE" (each such list shown as "{ ... }") followed by "    - ELEMENT" / "    + ELEMENT".
/// Lines in both, in any order, are left out.
std::vector<std::string> DescribeTextChange(std::string_view before, std::string_view after);

}  // namespace berth::reconciler
