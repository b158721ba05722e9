// Lookups and ordering of resource sets.
#include "reconciler/resource.h"

#include <algorithm>

namespace berth::reconciler {
namespace {

template <typename Vec>
const Resource* FindSorted(const Vec& v, const ResourceKey& key) {
  auto it = std::lower_bound(v.begin(), v.end(), key, [](const Resource& r, const ResourceKey& k) { return r.key < k; });
  if (it == v.end()) return nullptr;
  const Resource& found = *it;
  return found.key == key ? &found : nullptr;
}

}  // namespace

const char* ToString(Ownership o) {
  switch (o) {
    case Ownership::kUnowned: return "unowned";
    case Ownership::kMarked: return "marked";
    case Ownership::kOwned: return "owned";
  }
  return "?";
}

const Resource* DesiredState::Find(const ResourceKey& key) const { return FindSorted(resources, key); }
const Resource* ObservedState::Find(const ResourceKey& key) const { return FindSorted(resources, key); }

void ObservedState::Sort() {
  std::sort(resources.begin(), resources.end(), [](const Resource& a, const Resource& b) { return a.key < b.key; });
}

}  // namespace berth::reconciler
