// Reordering a large array of records in place: each element moves once, along the cycles of the
// permutation, so no second array is written (at 10,000 VMs a second array of records or steps was tens of
// megabytes of freshly faulted pages).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace berth::reconciler {

/// Reorders `items` so that slot i holds what was at `order[i]`. `order` must be a permutation of the
/// indices; it is used up (left as the identity).
template <typename T, typename Index>
void PermuteInPlace(std::vector<T>& items, std::vector<Index>& order) {
  for (size_t i = 0; i < order.size(); ++i) {
    if (size_t(order[i]) == i) continue;
    T held = std::move(items[i]);
    size_t at = i;
    while (size_t(order[at]) != i) {
      const size_t from = size_t(order[at]);
      items[at] = std::move(items[from]);
      order[at] = Index(at);
      at = from;
    }
    items[at] = std::move(held);
    order[at] = Index(at);
  }
}

}  // namespace berth::reconciler
