// A platform's pure knowledge: how manifests expand into resources, how resources depend on and contain each
// other, which attribute changes can be made in place, and which host facts conflict with the manifests.
// Each platform implements it in its pure part: drivers/linux/platform/, drivers/freebsd/platform/. No I/O here.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostic.h"
#include "model/manifest.h"
#include "reconciler/ipam.h"
#include "reconciler/resource.h"

namespace berth::reconciler {

struct ChangeSet;

enum class FieldPolicy {
  kUpdate,   // changed in place
  kReplace,  // needs delete and create (the kind's identity-like fields, e.g. a link's type)
  kIgnore,   // observed for display only, never a reason to act
};

/// A problem the plan must show and apply must refuse: a desired name held by an unowned object, a subnet
/// that overlaps a network berth does not own, a missing egress interface or kernel feature.
struct Conflict {
  std::optional<ResourceKey> key;
  std::string message;
  Provenance provenance;
};

/// Something the plan shows but that does not block apply (a foreign drop policy that defeats berth's rules).
struct Warning {
  std::string message;
  Provenance provenance;
};

/// What a launcher reads about one workload whose network is ready (a result file, as a CNI ADD result).
struct LaunchRecord {
  std::string workload;  // the manifest resource, "VM/vm1"
  std::string name;      // the file's base name, "vm1" (a manifest name: safe as a file name)
  std::string json;      // the record, one JSON document (schemas/result.schema.json)
};

class Platform {
 public:
  virtual ~Platform() = default;
  virtual std::string name() const = 0;
  /// Expands the manifests (with addresses and MACs already allocated) into desired resources, sorted by key.
  virtual DesiredState Expand(const model::Manifest& manifest, const Allocations& allocations) const = 0;
  /// Keys this resource needs to exist first; keys that are in neither state are ignored by the graph.
  /// Computed from attributes, so it holds for observed resources as much as for desired ones.
  virtual std::vector<ResourceKey> DependenciesOf(const Resource& r) const = 0;
  /// The container whose deletion removes this resource with it (a netns for what is inside it).
  virtual std::optional<ResourceKey> ContainerOf(const Resource& r) const = 0;
  virtual FieldPolicy PolicyOf(const std::string& kind, const std::string& field) const = 0;
  /// The policy for one differing field where it depends on the values as well (`have` lacks the field when the
  /// desired record adds it). By default the kind's policy.
  virtual FieldPolicy PolicyOfChange(const Resource& want, const Resource& have, const std::string& field) const {
    (void)have;
    return PolicyOf(want.key.kind, field);
  }
  /// A workload root (a VM's netns, a jail): what the mass-deletion guard counts.
  virtual bool IsWorkload(const ResourceKey& key) const = 0;
  /// A host setting berth turns on but never turns off or collects (net.ipv4.ip_forward).
  virtual bool IsSetting(const ResourceKey& key) const = 0;
  /// The manifest resource an observed object belongs to: its tag's origin, or what its name implies (a netns
  /// "berth-vm1" belongs to "VM/vm1"). Empty when unknown.
  virtual std::string OwnerOf(const Resource& r) const { return r.owner; }
  /// Attributes a creation holds back while the resources of kinds `until` are created on top of it: the plan
  /// creates with the stand-in values and sets the real ones in an update step after those creations, and
  /// everything else built on the resource waits for that update (Linux brings a device up only once its tc
  /// qdisc is in place, since adding an ingress qdisc to a device that is up waits for an RCU grace period;
  /// a VM is launched on a device that is up). Empty stand_ins: nothing held back.
  struct HeldBack {
    std::vector<std::pair<std::string, std::string>> stand_ins;  // {field, value to create with}
    std::vector<std::string> until;                              // kinds of the creations it waits for
  };
  virtual HeldBack HeldBackOnCreate(const Resource&) const { return {}; }
  /// The record an object has from the moment its container exists, when the container brings it along (a
  /// Linux netns's own `lo`, down). Such an object is never created: in a container the plan creates, it is
  /// an update from this record, or nothing when the record already matches.
  virtual std::optional<Resource> ComesWithContainer(const Resource&) const { return std::nullopt; }
  /// What is wrong with a record by its kind's codec (the closed grammar of what Expand emits), or nullopt.
  /// A saved plan is applied only when every record in it decodes; platforms without codecs accept all.
  virtual std::optional<std::string> RecordError(const Resource& r) const {
    (void)r;
    return std::nullopt;
  }
  /// Plan-time checks of the desired state against host facts.
  virtual void CheckHost(const DesiredState& desired, const ObservedState& observed,
                         std::vector<Conflict>& conflicts, std::vector<Warning>& warnings) const = 0;
  /// Holds back the changes the host cannot carry out for one workload only (a VM whose hypervisor or
  /// /dev/kvm is missing): they become no-ops with the reason, plus a warning, so everything else converges.
  virtual void HoldBlocked(ChangeSet& changes, const HostFacts& facts) const {
    (void)changes;
    (void)facts;
  }
  /// Fills changes.widens: the existing workloads whose reach the changes widen (none where the platform has
  /// no notion of reach).
  virtual void NoteWidenings(ChangeSet& changes) const { (void)changes; }
  /// The launch records of the workloads `observed` holds, whether converged or not (the core decides which
  /// are published). `scope_dir`: where the host keeps workload scopes (Linux: the named netns directory).
  /// None where the platform writes no records.
  virtual std::vector<LaunchRecord> LaunchRecords(const ObservedState& observed, const Allocations& allocations,
                                                  const std::string& scope_dir) const {
    (void)observed;
    (void)allocations;
    (void)scope_dir;
    return {};
  }
};

}  // namespace berth::reconciler
