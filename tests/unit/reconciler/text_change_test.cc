// How a plan describes the change of a long attribute: only what changed, and a list's elements by name.
#include "reconciler/text_change.h"

#include <gtest/gtest.h>

namespace berth::reconciler {
namespace {

using Lines = std::vector<std::string>;

TEST(TextChange, OnlyTheLinesThatChangeAreShown) {
  EXPECT_EQ(DescribeTextChange("a\nb\nc", "a\nc\nd"), (Lines{"- b", "+ d"}));
  EXPECT_EQ(DescribeTextChange("a\nb", "b\na"), Lines{});  // the same lines, another order
  EXPECT_EQ(DescribeTextChange("", "a"), (Lines{"+ a"}));
  EXPECT_EQ(DescribeTextChange("a\na", "a"), (Lines{"- a"}));  // one of two equal lines goes
}

TEST(TextChange, ALineThatChangesInItsListsShowsTheElements) {
  const std::string before = "meta l4proto { tcp, udp } dnat map { tcp . 80 : 10.0.0.2 . 80, udp . 53 : 10.0.0.3 . 53 }";
  const std::string after = "meta l4proto { tcp, udp } dnat map { tcp . 80 : 10.0.0.2 . 80, tcp . 81 : 10.0.0.2 . 81 }";
  EXPECT_EQ(DescribeTextChange("masquerade\n" + before, "masquerade\n" + after),
            (Lines{"~ meta l4proto { tcp, udp } dnat map { ... }", "    - udp . 53 : 10.0.0.3 . 53",
                   "    + tcp . 81 : 10.0.0.2 . 81"}));
  // Different outside the lists: two lines.
  EXPECT_EQ(DescribeTextChange("x { a } accept", "x { a, b } drop"), (Lines{"- x { a } accept", "+ x { a, b } drop"}));
}

TEST(TextChange, ShortValuesAreShownWhole) {
  EXPECT_TRUE(IsShortValue("1500"));
  EXPECT_FALSE(IsShortValue("a\nb"));
  EXPECT_FALSE(IsShortValue(std::string(161, 'x')));
}

TEST(TextChange, ManyChangedLinesStayLinear) {
  // 20,000 lines whose lists all changed, alike outside them: each is paired once, by the text outside its
  // lists, not against every other line (which would take minutes here).
  std::string before, after;
  for (int i = 0; i < 20000; ++i) {
    before += "rule { " + std::to_string(i) + " } accept\n";
    after += "rule { " + std::to_string(i + 20000) + " } accept\n";
  }
  const Lines change = DescribeTextChange(before, after);
  ASSERT_EQ(change.size(), 60000u);
  EXPECT_EQ(change[0], "~ rule { ... } accept");
}

}  // namespace
}  // namespace berth::reconciler
