// KeyIndex: from a ResourceKey to the first of a sequence of items with that key, for items that already hold
// their keys (the plan's steps). Open addressing over two flat arrays of integers: a node-based hash map of
// 100,000 steps allocated a node per step and missed the cache on every lookup (a tenth of building a plan).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "reconciler/resource.h"

namespace berth::reconciler {

inline uint64_t HashKey(const ResourceKey& key) {
  std::hash<std::string_view> h;
  return h(key.kind) ^ (h(key.scope) * 0x9e3779b97f4a7c15ull) ^ (h(key.name) * 0xc2b2ae3d27d4eb4full);
}

class KeyIndex {
 public:
  /// Indexes items 0..n-1; `key_of(i)` must stay valid (and unchanged) while the index is used.
  template <typename KeyOf>
  void Build(int n, KeyOf key_of) {
    size_t capacity = 16;
    while (capacity < size_t(n) * 2) capacity *= 2;  // at most half full: short probe sequences
    mask_ = capacity - 1;
    slots_.assign(capacity, -1);
    hashes_.resize(size_t(n));
    for (int i = 0; i < n; ++i) {
      const ResourceKey& key = key_of(i);
      const uint64_t hash = hashes_[size_t(i)] = HashKey(key);
      for (size_t s = hash & mask_;; s = (s + 1) & mask_) {
        const int there = slots_[s];
        if (there < 0) {
          slots_[s] = i;
          break;
        }
        if (hashes_[size_t(there)] == hash && key_of(there) == key) break;  // keep the first item of a key
      }
    }
  }

  /// The first item with `key`, or -1.
  template <typename KeyOf>
  int Find(const ResourceKey& key, KeyOf key_of) const {
    if (slots_.empty()) return -1;
    const uint64_t hash = HashKey(key);
    for (size_t s = hash & mask_;; s = (s + 1) & mask_) {
      const int there = slots_[s];
      if (there < 0) return -1;
      if (hashes_[size_t(there)] == hash && key_of(there) == key) return there;
    }
  }

 private:
  std::vector<int> slots_;        // item index, or -1 when empty
  std::vector<uint64_t> hashes_;  // per item: compared before the keys
  size_t mask_ = 0;
};

}  // namespace berth::reconciler
