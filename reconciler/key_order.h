// Sorting many records by ResourceKey without chasing each record's strings at every comparison.
//
// A comparison sort of 800,000 keys makes ~16 million comparisons; when each one follows two pointers into
// records spread over a few hundred megabytes, nearly every comparison misses the cache (sorting the expansion
// of 100,000 VMs took 0.5-0.8 s, ten times what the same sort of 10,000 took per key). So each key is first
// abbreviated into a fixed-size prefix that compares as integers in a small contiguous array, and the full keys
// are compared only when two prefixes are equal (the technique databases call normalized or abbreviated keys).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "reconciler/resource.h"

namespace berth::reconciler {

/// The first kBytes of "kind\0scope\0name" as big-endian words: comparing the words compares the keys'
/// prefixes in ResourceKey order, because '\0' sorts below every character a key can hold.
struct KeyPrefix {
  static constexpr size_t kWords = 4;
  static constexpr size_t kBytes = kWords * 8;
  std::array<uint64_t, kWords> words{};
  bool complete = true;  // the whole key fits: equal prefixes mean equal keys

  explicit KeyPrefix(const ResourceKey& key) {
    std::array<unsigned char, kBytes> bytes{};
    size_t n = 0;
    auto put = [&](const std::string& s, bool separator) {
      for (size_t i = 0; i < s.size(); ++i) {
        if (n == kBytes) return void(complete = false);
        bytes[n++] = static_cast<unsigned char>(s[i]);
      }
      if (separator) {
        if (n == kBytes) return void(complete = false);
        bytes[n++] = 0;
      }
    };
    put(key.kind, true);
    put(key.scope, true);
    put(key.name, false);
    for (size_t w = 0; w < kWords; ++w)
      for (size_t b = 0; b < 8; ++b) words[w] = (words[w] << 8) | bytes[w * 8 + b];
  }
};

/// The positions of `items` in ascending key order; equal keys keep their input order (a stable sort).
template <typename T, typename KeyOf>
std::vector<size_t> OrderByKey(const std::vector<T>& items, KeyOf key_of) {
  struct Slot {
    KeyPrefix prefix;
    size_t index;
  };
  std::vector<Slot> slots;
  slots.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) slots.push_back({KeyPrefix(key_of(items[i])), i});
  std::sort(slots.begin(), slots.end(), [&](const Slot& a, const Slot& b) {
    if (a.prefix.words != b.prefix.words) return a.prefix.words < b.prefix.words;
    if (!a.prefix.complete || !b.prefix.complete) {
      const ResourceKey& ka = key_of(items[a.index]);
      const ResourceKey& kb = key_of(items[b.index]);
      if (auto order = ka <=> kb; order != 0) return order < 0;
    }
    return a.index < b.index;  // stability, so the result is deterministic with an unstable sort
  });
  std::vector<size_t> order(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) order[i] = slots[i].index;
  return order;
}

}  // namespace berth::reconciler
