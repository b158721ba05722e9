// Platform resources: the unit berth observes, diffs and acts on. Desired and observed states share this type,
// so the diff compares like with like. Attributes are plain strings so every platform fits one generic core.
#pragma once

#include <compare>
#include <map>
#include <memory>

#include <boost/container/flat_map.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/net.h"
#include "model/source_span.h"
#include "reconciler/shared.h"

namespace berth::reconciler {

/// Identity of a platform resource. Prints as "kind:scope/name" (scope is a netns or jail; empty for the host).
struct ResourceKey {
  std::string kind;
  std::string scope;
  std::string name;

  std::string ToString() const { return kind + ":" + scope + "/" + name; }
  friend auto operator<=>(const ResourceKey&, const ResourceKey&) = default;
};

/// Attribute name -> value. Desired states set only the attributes they care about; the diff compares those.
/// A sorted vector rather than a tree: records are copied into changes, steps and plans by the hundred
/// thousand, and a flat map of short (in-place) strings copies with one allocation instead of one per entry.
using Attrs = boost::container::flat_map<std::string, std::string>;

enum class Ownership {
  kUnowned,  // not berth's: never changed or deleted, whatever its name
  kMarked,   // berth's mark without details (a crash between creation and tagging): berth's, collectable
  kOwned,    // berth's mark and details; `owner` names the manifest resource
};
const char* ToString(Ownership o);

/// Observed-only attribute: when an owned object was created (RFC 3339 UTC), from its tag — or, for objects
/// marked by name (a netns), from the file that marks it. Drivers report it; desired states never set it, so
/// the diff never compares it. The watch loop's grace period before collecting a leak is judged by it.
inline constexpr const char* kCreatedAttr = "created";

/// Why a desired resource exists: the manifest resource ("VM/vm1") and where it is written. Immutable and shared:
/// a VM's records, their changes and steps all carry it, and a copy of each was ~70 bytes written per record.
class Provenance {
 public:
  Provenance() = default;
  Provenance(std::string origin, model::SourceSpan span)
      : data_(std::make_shared<const Data>(Data{std::move(origin), std::move(span)})) {}

  const std::string& origin() const { return data_ ? data_->origin : Empty().origin; }
  const model::SourceSpan& span() const { return data_ ? data_->span : Empty().span; }

  friend bool operator==(const Provenance& a, const Provenance& b) {
    return a.data_ == b.data_ || (a.origin() == b.origin() && a.span() == b.span());
  }

 private:
  struct Data {
    std::string origin;
    model::SourceSpan span;
  };
  static const Data& Empty() {
    static const Data empty;
    return empty;
  }
  std::shared_ptr<const Data> data_;
};

struct Resource {
  ResourceKey key;
  Attrs attrs;
  Ownership ownership = Ownership::kOwned;  // desired resources are always kOwned
  std::string owner;                        // observed: origin named by the ownership tag; empty if unknown
  Provenance provenance;                    // desired: the manifest resource that wants it

  const std::string* Attr(const std::string& name) const {
    auto it = attrs.find(name);
    return it == attrs.end() ? nullptr : &it->second;
  }
  std::string AttrOr(const std::string& name, std::string fallback = "") const {
    auto* v = Attr(name);
    return v ? *v : fallback;
  }
  friend bool operator==(const Resource&, const Resource&) = default;
};

/// What the manifests want, expanded for one platform. Sorted by key, keys unique. The records are shared: the
/// diff hands them on to the changes and steps without copying.
struct DesiredState {
  std::vector<Shared<Resource>> resources;
  const Resource* Find(const ResourceKey& key) const;
};

/// A network berth does not own, found on the host (for subnet-conflict checks).
struct ForeignNetwork {
  model::Cidr4 network;
  std::string where;  // e.g. "address 10.0.0.5/8 on wg0", "route 10.0.0.0/8 dev wg0"
  friend bool operator==(const ForeignNetwork&, const ForeignNetwork&) = default;
};

/// Facts about the host that plans must respect but berth never changes.
struct HostFacts {
  std::vector<ForeignNetwork> foreign_networks;
  std::vector<std::string> interfaces;           // every host interface name (egress checks)
  std::vector<std::string> addresses;            // every host IPv4 address, "192.0.2.10" (listen checks); sorted
  std::vector<std::string> missing_features;     // e.g. "nf_tables", "tun", "veth"
  std::vector<std::string> foreign_drop_chains;  // e.g. "table ip filter chain FORWARD (policy drop)"
  /// What keeps a hypervisor from launching here: need ("kvm", "qemu", "firecracker") -> why, e.g.
  /// "kvm" -> "/dev/kvm does not exist". Blocks only the VMs that need it (docs/hypervisors.md).
  std::map<std::string, std::string> launch_blockers;
  friend bool operator==(const HostFacts&, const HostFacts&) = default;
};

/// What is on the host: berth's objects and unowned look-alikes that could clash with them. Sorted by key.
struct ObservedState {
  std::vector<Resource> resources;
  HostFacts facts;
  const Resource* Find(const ResourceKey& key) const;
  void Sort();
};

}  // namespace berth::reconciler
