// KeyIndex against a std::map: the first item of every key is found, absent keys are not, duplicates keep the
// first item; over enough keys that probe sequences wrap and collide.
#include "reconciler/key_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace berth::reconciler {
namespace {

TEST(KeyIndex, AnEmptyIndexFindsNothing) {
  KeyIndex index;
  auto none = [](int) -> const ResourceKey& { std::abort(); };
  EXPECT_EQ(index.Find({"link", "", "br0"}, none), -1);
  index.Build(0, none);
  EXPECT_EQ(index.Find({"link", "", "br0"}, none), -1);
}

TEST(KeyIndex, FindsTheFirstItemOfEveryKeyLikeAMap) {
  std::mt19937 rng(3);
  std::vector<ResourceKey> items;
  std::map<ResourceKey, int> first;
  for (int i = 0; i < 5000; ++i) {
    ResourceKey key{i % 3 ? "link" : "netns", "ns" + std::to_string(rng() % 700), "dev" + std::to_string(rng() % 5)};
    first.emplace(key, i);  // keeps the first
    items.push_back(key);
  }
  auto key_of = [&](int i) -> const ResourceKey& { return items[size_t(i)]; };
  KeyIndex index;
  index.Build(int(items.size()), key_of);
  ASSERT_LT(first.size(), items.size());  // the input has duplicates
  for (const auto& [key, id] : first) EXPECT_EQ(index.Find(key, key_of), id) << key.ToString();
  EXPECT_EQ(index.Find({"link", "ns1", "absent"}, key_of), -1);
  EXPECT_EQ(index.Find({"", "", ""}, key_of), -1);
}

}  // namespace
}  // namespace berth::reconciler
