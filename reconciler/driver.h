// The driver interface, owned by the core and implemented under drivers/: observe the host into plain data,
// perform a batch of independent actions. Drivers never decide what to do or in which order.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/result.h"
#include "reconciler/resource.h"
#include "reconciler/shared.h"

namespace berth::reconciler {

struct DriverError {
  enum class Kind { kNotFound, kExists, kNotSupported, kPermission, kInvalid, kBusy, kCrashed, kOther };
  Kind kind = Kind::kOther;
  std::string op;       // "create", "update", "delete", "observe"
  ResourceKey key;
  int sys_errno = 0;
  std::string message;  // what the kernel or tool said, e.g. "RTM_NEWLINK: File exists"

  /// Transient conditions (EBUSY, EAGAIN) that a later attempt may clear.
  bool IsRetryable() const { return kind == Kind::kBusy; }
  std::string ToString() const;
};

enum class Op { kCreate, kUpdate, kDelete };
const char* ToString(Op op);

/// One action on one resource. For create and update `resource` is the desired record; for delete it is the
/// observed one. `fields` lists the attributes an update changes; `before` is the observed record an update
/// moves away from (where undoing the old value needs it: leaving the bridge a device was on).
struct Action {
  int step_id = 0;
  Op op = Op::kCreate;
  Resource resource;
  std::vector<std::string> fields;
  Shared<Resource> before;
};

/// A batch of actions with no dependency among them: a driver may pipeline them or run them in one
/// transaction (all nftables changes of a batch, say). The executor groups by kind.
struct ApplyRequest {
  std::vector<Action> actions;
};

struct ActionResult {
  int step_id = 0;
  std::optional<DriverError> error;  // nullopt: done
};

/// One result per action, in any order.
struct ApplyResponse {
  std::vector<ActionResult> results;
};

struct ObserveRequest {
  bool host_facts = true;  // false: owned resources and look-alikes only (verification after apply)
  /// With host_facts, whether to fill HostFacts::launch_blockers too. They matter only to workloads that
  /// launch a hypervisor, and learning them can take seconds (Linux runs a guest to see whether KVM works):
  /// false lets a driver leave them empty; a caller that finds it needs them after all asks LaunchFacts.
  bool launch_facts = true;
  /// Incremental observation for a long-running caller with a change feed: the scopes (named namespaces)
  /// the feed reported since the previous Observe, and whether the firewall changed. nullopt: read
  /// everything. A driver may serve the other scopes from its previous read, refreshing whatever its own
  /// actions touched since; the result is always the whole host. A driver without such memory reads all.
  std::optional<std::set<std::string>> changed_scopes;
  bool firewall_changed = true;

  /// After applying a plan, to verify it: owned objects only, and only what the actions touched is read
  /// again (nothing else moved because of them).
  static ObserveRequest AfterApply() {
    ObserveRequest r;
    r.host_facts = false;
    r.changed_scopes.emplace();
    r.firewall_changed = false;
    return r;
  }
};

struct Capabilities {
  std::string platform;  // "linux", "freebsd"
};

/// Thread-safety: Apply may be called concurrently from several threads with disjoint batches.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual Capabilities capabilities() const = 0;
  /// Reads the host. Tolerates objects vanishing while it reads.
  virtual Result<ObservedState, DriverError> Observe(const ObserveRequest& request) = 0;
  virtual ApplyResponse Apply(const ApplyRequest& request) = 0;
  /// HostFacts::launch_blockers alone, for a caller that observed without them (ObserveRequest::launch_facts).
  /// By default a whole observation; drivers that can learn them alone do so.
  virtual Result<std::map<std::string, std::string>, DriverError> LaunchFacts() {
    auto observed = Observe(ObserveRequest{});
    if (!observed) return MakeUnexpected(std::move(observed.error()));
    return std::move(observed->facts.launch_blockers);
  }
};

}  // namespace berth::reconciler
