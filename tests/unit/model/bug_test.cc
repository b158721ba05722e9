// BERTH_BUG and BERTH_CHECK abort naming where the invariant broke, in every build type.
#include "model/bug.h"

#include <gtest/gtest.h>

#include "model/result.h"

namespace berth {
namespace {

TEST(BugDeathTest, NamesFileLineAndMessage) {
  EXPECT_DEATH(BERTH_BUG("the plan lost a step"), "BUG at .*bug_test\\.cc:[0-9]+ in .*: the plan lost a step");
}

TEST(BugDeathTest, CheckPassesOrAborts) {
  BERTH_CHECK(1 + 1 == 2, "arithmetic");
  EXPECT_DEATH(BERTH_CHECK(1 + 1 == 3, "arithmetic broke"), "BUG at .*: arithmetic broke");
}

TEST(BugDeathTest, ReadingTheWrongSideOfAResultIsABug) {
  Result<int> failed = Fail("no");
  EXPECT_DEATH((void)failed.value(), "value\\(\\) of a failed Result");
  Result<int> fine = 7;
  EXPECT_DEATH((void)fine.error(), "error\\(\\) of a successful Result");
}

}  // namespace
}  // namespace berth
