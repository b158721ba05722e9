// PermuteInPlace against the plain way (copy into a second array), on every permutation of small arrays and
// on shuffled large ones: identities, single cycles, many cycles.
#include "reconciler/permute.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace berth::reconciler {
namespace {

std::vector<std::string> Items(size_t n) {
  std::vector<std::string> items;
  for (size_t i = 0; i < n; ++i) items.push_back("a string longer than the small-string buffer #" + std::to_string(i));
  return items;
}

void ExpectSameAsCopying(const std::vector<size_t>& order) {
  const std::vector<std::string> before = Items(order.size());
  std::vector<std::string> want;
  for (size_t from : order) want.push_back(before[from]);
  std::vector<std::string> items = before;
  std::vector<size_t> used = order;
  PermuteInPlace(items, used);
  EXPECT_EQ(items, want);
  for (size_t i = 0; i < used.size(); ++i) EXPECT_EQ(used[i], i);  // documented: left as the identity
}

TEST(PermuteInPlace, EveryPermutationOfUpToSixItems) {
  for (size_t n = 0; n <= 6; ++n) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    do ExpectSameAsCopying(order);
    while (std::next_permutation(order.begin(), order.end()));
  }
}

TEST(PermuteInPlace, ShuffledLargeArrays) {
  std::mt19937 rng(7);
  for (size_t n : {100u, 1000u, 5000u}) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    ExpectSameAsCopying(order);
  }
}

}  // namespace
}  // namespace berth::reconciler
