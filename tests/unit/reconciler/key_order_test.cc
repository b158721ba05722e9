// OrderByKey against std::stable_sort with ResourceKey's own ordering: keys that fit the prefix and keys that
// do not, keys equal in their prefix, duplicates (stability), empty parts and bytes above 127.
#include "reconciler/key_order.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace berth::reconciler {
namespace {

std::vector<size_t> StableSorted(const std::vector<ResourceKey>& keys) {
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  return order;
}

std::vector<size_t> Ordered(const std::vector<ResourceKey>& keys) {
  return OrderByKey(keys, [](const ResourceKey& k) -> const ResourceKey& { return k; });
}

TEST(OrderByKey, MatchesAStableSortOnHandPickedKeys) {
  const std::vector<ResourceKey> keys = {
      {"link", "berth-vm1", "tap0"},
      {"link", "", "br0"},
      {"link", "berth-vm1", "tap0"},  // a duplicate: keeps its place after the first
      {"file", "", "/etc/netns/berth-vm10/resolv.conf"},
      {"file", "", "/etc/netns/berth-vm1/resolv.conf"},  // equal to the one above for the whole prefix
      {"link", "", ""},
      {"lin", "k", ""},  // "lin\0k" sorts before "link\0": the separator is lower than any character
      {"", "", ""},
      {"link", "berth-vm1", "tap0\xff"},
      {"link", "berth-vm1", "tap0 longer than the thirty-two byte prefix, second"},
      {"link", "berth-vm1", "tap0 longer than the thirty-two byte prefix, first"},
      {"link", "berth-vm1", "tap0 longer than the thirty-two byte prefix, first"},
  };
  EXPECT_EQ(Ordered(keys), StableSorted(keys));
}

TEST(OrderByKey, MatchesAStableSortOnRandomKeys) {
  std::mt19937 rng(7);
  const std::string alphabet = std::string("ab\x01\x7f\x80\xff", 6);
  auto word = [&](size_t max_len) {
    std::string s(rng() % (max_len + 1), 'a');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int round = 0; round < 50; ++round) {
    std::vector<ResourceKey> keys;
    for (int i = 0; i < 300; ++i) {
      // Short parts collide often (duplicates, equal prefixes); long ones run past the prefix.
      const size_t len = round % 2 ? 3 : 40;
      keys.push_back({word(len / 3 + 1), word(len), word(len)});
      if (i % 10 == 0) keys.push_back(keys[rng() % keys.size()]);
    }
    ASSERT_EQ(Ordered(keys), StableSorted(keys)) << "round " << round;
  }
}

}  // namespace
}  // namespace berth::reconciler
