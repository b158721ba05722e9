// DesiredBuilder: how a platform's expansion collects desired resources — each stamped with the manifest
// resource that wants it — and hands them over sorted by key, one per key.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "model/manifest.h"
#include "reconciler/resource.h"

namespace berth::reconciler {

class DesiredBuilder {
 public:
  void Add(std::string kind, std::string scope, std::string name, Attrs attrs, const model::Document& doc) {
    Resource r;
    r.key = ResourceKey{std::move(kind), std::move(scope), std::move(name)};
    r.attrs = std::move(attrs);
    r.provenance = Provenance{doc.Id(), doc.span};
    out_.push_back(std::move(r));
  }

  /// Shared resources (the nft table, IP forwarding) are wanted by several manifest resources: the first one
  /// added stays as provenance (stable sort), so the result does not depend on anything but the input order.
  DesiredState Finish() {
    std::stable_sort(out_.begin(), out_.end(), [](const Resource& a, const Resource& b) { return a.key < b.key; });
    out_.erase(std::unique(out_.begin(), out_.end(), [](const Resource& a, const Resource& b) { return a.key == b.key; }),
               out_.end());
    return DesiredState{std::move(out_)};
  }

 private:
  std::vector<Resource> out_;
};

}  // namespace berth::reconciler
