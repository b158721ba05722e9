// Internals shared by the Linux driver's per-kind appliers: the driver's environment, one action's job
// record, per-batch netlink sockets by namespace, and the appliers themselves (one file per kind).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "drivers/linux/linux_driver.h"
#include "drivers/linux/netlink.h"
#include "drivers/linux/netns.h"
#include "drivers/linux/os_util.h"
#include "reconciler/driver.h"

namespace berth::drivers::lnx {

class NftBackend;

/// What every applier and the observer share. Lives as long as the driver; thread-safe members only.
struct Env {
  LinuxDriverOptions options;
  NetnsDir netns;
  UniqueFd host_netns;              // the namespace the driver was made in ("the host")
  std::unique_ptr<NftBackend> nft;  // serialises nftables work internally
  std::once_flag features_once;     // MissingFeatures probes once per driver
  std::vector<std::string> missing_features;

  explicit Env(const LinuxDriverOptions& o);
  ~Env();
};

/// One action of a batch and its outcome: the first failure sticks.
struct Job {
  const reconciler::Action* action = nullptr;
  std::optional<reconciler::DriverError> error;

  const reconciler::Resource& res() const { return action->resource; }
  const reconciler::ResourceKey& key() const { return action->resource.key; }
  reconciler::Op op() const { return action->op; }
  std::string OpName() const { return reconciler::ToString(action->op); }
  bool failed() const { return error.has_value(); }
  void Fail(const OsError& e) {
    if (!error) error = MakeDriverError(OpName(), key(), e);
  }
  void Fail(reconciler::DriverError::Kind kind, const std::string& message) {
    if (!error) error = MakeDriverError(OpName(), key(), kind, message);
  }
};

/// Netlink sockets for one batch, one per namespace ("" is the host), opened on first use.
class BatchSockets {
 public:
  explicit BatchSockets(Env& env) : env_(env) {}
  Result<NlSocket*, OsError> Get(const std::string& scope);

 private:
  Env& env_;
  std::map<std::string, std::unique_ptr<NlSocket>> sockets_;
};

/// What a tc job (a redirect, a shaper) acts on: its device's index, the socket and the pipeline of its netns.
struct TcTarget {
  int dev = 0;
  NlSocket* sock = nullptr;
  NlPipeline* pipe = nullptr;
};
/// The job's TcTarget, its netns's pipeline made in `pipes` on first use; nullopt when the job has failed here,
/// or is a delete whose device is gone (its qdiscs and filters went with it). tc_redirect.cc
std::optional<TcTarget> TcTargetOf(Job& job, BatchSockets& socks,
                                   std::map<std::string, std::unique_ptr<NlPipeline>>& pipes);

/// The ownership tag for a link created or adopted now for `res` (its provenance's origin).
std::string OwnerAliasFor(const reconciler::Resource& res);

/// RTM_NEWLINK addressed by name (no create flags: a change); `up` sets or clears IFF_UP when given.
NlMsg LinkRequest(int flags, const std::string& name, std::optional<bool> up);
/// No IPv6 link-local address (addr_gen_mode none): the veths and TAPs berth plumbs are layer-2 ports that
/// need no address of their own, and each one would otherwise run DAD and MLD work that takes RTNL.
bool PutNoLinkLocal(nl_msg* m);
/// Sets the group mark and the ownership alias of `name` (and its state when `up` is given).
NlMsg AliasRequest(const std::string& name, const std::string& alias, std::optional<bool> up = std::nullopt);

/// TAP devices (tap.cc), called by ApplyLinks for links of type tap. Synchronous, in the job's namespace.
void CreateTap(Env& env, Job& job);
void UpdateTapOwner(Env& env, Job& job);

/// Sets group mark and alias on a link that lacks a berth alias (adopting a kMarked link); by name.
void EnsureOwnerTag(NlSocket& sock, Job& job, const std::string& name);

/// Parses an integer attribute; nullopt when absent; fails the job when malformed.
std::optional<long> IntAttr(Job& job, const char* name, bool& ok);

// Appliers: each handles the jobs of its kind in one batch, recording failures in the jobs.
void ApplyNetns(Env& env, BatchSockets& socks, std::vector<Job*>& jobs);
void ApplyLinks(Env& env, BatchSockets& socks, std::vector<Job*>& jobs);
void ApplyAddrs(Env& env, BatchSockets& socks, std::vector<Job*>& jobs);
void ApplyTc(Env& env, BatchSockets& socks, std::vector<Job*>& jobs);
void ApplyQdiscs(Env& env, BatchSockets& socks, std::vector<Job*>& jobs);  // tc_shaper.cc
void ApplyNft(Env& env, std::vector<Job*>& jobs);
void ApplySysctls(Env& env, std::vector<Job*>& jobs);
void ApplyFiles(Env& env, std::vector<Job*>& jobs);

}  // namespace berth::drivers::lnx
