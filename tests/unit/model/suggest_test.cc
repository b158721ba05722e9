// Suggestions must catch typos without proposing unrelated words.
#include "model/suggest.h"

#include <gtest/gtest.h>

namespace berth::model {
namespace {

TEST(EditDistance, CountsEditsAndTranspositions) {
  EXPECT_EQ(EditDistance("address", "address"), 0u);
  EXPECT_EQ(EditDistance("adress", "address"), 1u);
  EXPECT_EQ(EditDistance("adderss", "address"), 1u);  // adjacent transposition
  EXPECT_EQ(EditDistance("", "mtu"), 3u);
}

TEST(ClosestMatch, FindsTyposAndFoldsCaseAndSeparators) {
  const std::vector<std::string_view> keys = {"kernel", "rootfs", "bootArgs", "memoryMiB"};
  EXPECT_EQ(ClosestMatch("kernal", keys), "kernel");
  EXPECT_EQ(ClosestMatch("boot_args", keys), "bootArgs");
  EXPECT_EQ(ClosestMatch("memorymib", keys), "memoryMiB");
  EXPECT_EQ(ClosestMatch("memory", keys), std::nullopt);
}

TEST(ClosestMatch, ShortWordsNeedCloseMatches) {
  EXPECT_EQ(ClosestMatch("mac", {"mtu"}), std::nullopt);
  EXPECT_EQ(ClosestMatch("mtv", {"mtu"}), "mtu");
  EXPECT_EQ(DidYouMean("Vm", {"Bridge", "NAT", "VM", "Jail"}), " (did you mean \"VM\"?)");
  EXPECT_EQ(DidYouMean("zzz", {"Bridge"}), "");
}

}  // namespace
}  // namespace berth::model
