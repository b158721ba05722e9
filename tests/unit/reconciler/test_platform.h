// A tiny platform for reconciler unit tests: kind "node" resources name what they need in attr "needs"
// (space-separated node names) and their container in attr "in" (a "box"); boxes are the workloads.
#pragma once

#include <sstream>

#include "reconciler/diff.h"
#include "reconciler/platform.h"

namespace berth::reconciler::testing {

inline ResourceKey Node(const std::string& name) { return {"node", "", name}; }
inline ResourceKey Box(const std::string& name) { return {"box", "", name}; }

class TestPlatform final : public Platform {
 public:
  std::string name() const override { return "test"; }
  DesiredState Expand(const model::Manifest&, const Allocations&) const override { return {}; }
  std::vector<ResourceKey> DependenciesOf(const Resource& r) const override {
    std::vector<ResourceKey> deps;
    std::istringstream in(r.AttrOr("needs"));
    for (std::string name; in >> name;) deps.push_back(Node(name));
    return deps;
  }
  std::optional<ResourceKey> ContainerOf(const Resource& r) const override {
    if (auto* box = r.Attr("in")) return Box(*box);
    return std::nullopt;
  }
  FieldPolicy PolicyOf(const std::string&, const std::string& field) const override {
    return field == "type" ? FieldPolicy::kReplace : FieldPolicy::kUpdate;
  }
  bool IsWorkload(const ResourceKey& key) const override { return key.kind == "box"; }
  bool IsSetting(const ResourceKey&) const override { return false; }
  void CheckHost(const DesiredState&, const ObservedState&, std::vector<Conflict>&,
                 std::vector<Warning>&) const override {}
};

inline Resource Res(ResourceKey key, Attrs attrs = {}, std::string origin = "Test/t") {
  Resource r;
  r.key = std::move(key);
  r.attrs = std::move(attrs);
  r.owner = origin;
  r.provenance = Provenance(std::move(origin), {});
  return r;
}

/// Changes built by hand, kept sorted by key as the diff emits them.
class Changes {
 public:
  Changes& Create(Resource r) { return Add(ChangeAction::kCreate, std::nullopt, std::move(r)); }
  Changes& Update(Resource before, Resource after, std::vector<std::string> fields) {
    Add(ChangeAction::kUpdate, std::move(before), std::move(after));
    set_.changes.back().fields = std::move(fields);
    return *this;
  }
  Changes& Replace(Resource before, Resource after) {
    return Add(ChangeAction::kReplace, std::move(before), std::move(after));
  }
  Changes& Delete(Resource r) { return Add(ChangeAction::kDelete, std::move(r), std::nullopt); }
  Changes& Collect(Resource r) { return Add(ChangeAction::kCollect, std::move(r), std::nullopt); }
  Changes& NoOp(Resource r) { return Add(ChangeAction::kNoOp, r, r); }
  /// Marks the last change as going with `container`.
  Changes& With(ResourceKey container) {
    set_.changes.back().removed_with = std::move(container);
    return *this;
  }
  ChangeSet Build() const {
    ChangeSet set = set_;
    std::stable_sort(set.changes.begin(), set.changes.end(),
                     [](const Change& a, const Change& b) { return a.key() < b.key(); });
    return set;
  }

 private:
  Changes& Add(ChangeAction action, std::optional<Resource> before, std::optional<Resource> after) {
    Change c;
    c.action = action;
    c.before = std::move(before);
    c.after = std::move(after);
    set_.changes.push_back(std::move(c));
    return *this;
  }
  ChangeSet set_;
};

}  // namespace berth::reconciler::testing
