// DesiredBuilder: how a platform's expansion collects desired resources — each stamped with the manifest
// resource that wants it — and hands them over sorted by key, one per key.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "model/manifest.h"
#include "reconciler/key_order.h"
#include "reconciler/resource.h"

namespace berth::reconciler {

class DesiredBuilder {
 public:
  /// Room for `n` resources up front: growing a vector of records moves every one of them at each doubling.
  void Reserve(size_t n) { out_.reserve(n); }

  void Add(std::string kind, std::string scope, std::string name, Attrs attrs, const model::Document& doc) {
    Add(std::move(kind), std::move(scope), std::move(name), std::move(attrs), Provenance{doc.Id(), doc.span});
  }
  /// For a manifest resource that expands into many records: its provenance made once.
  void Add(std::string kind, std::string scope, std::string name, Attrs attrs, const Provenance& provenance) {
    Resource r;
    r.key = ResourceKey{std::move(kind), std::move(scope), std::move(name)};
    r.attrs = std::move(attrs);
    r.provenance = provenance;
    out_.emplace_back(std::move(r));
  }

  /// Shared resources (the nft table, IP forwarding) are wanted by several manifest resources: the first one
  /// added stays as provenance (stable sort), so the result does not depend on anything but the input order.
  DesiredState Finish() {
    // The records are shared handles: ordering them moves pointers, never the records.
    const std::vector<size_t> order =
        OrderByKey(out_, [](const Shared<Resource>& r) -> const ResourceKey& { return r->key; });
    DesiredState desired;
    desired.resources.reserve(out_.size());
    for (size_t i : order) {
      // One record per key: the first added (the order is stable) stays.
      if (!desired.resources.empty() && desired.resources.back()->key == out_[i]->key) continue;
      desired.resources.push_back(std::move(out_[i]));
    }
    out_ = {};
    return desired;
  }

 private:
  std::vector<Shared<Resource>> out_;
};

}  // namespace berth::reconciler
