// The observer: reads the host and every berth netns into an ObservedState of the Linux vocabulary, with
// ownership from marks (link group + alias, berth- prefixes, table inet berth) and the host facts.
#pragma once

#include <sys/types.h>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "drivers/linux/apply.h"
#include "drivers/linux/nft.h"
#include "drivers/linux/snapshot.h"
#include "reconciler/driver.h"

namespace berth::drivers::lnx {

/// One berth netns as read: its links, addresses and tc redirects, and how the host names it.
struct NetnsView {
  std::string name;
  Snapshot snap;
  int host_nsid = -1;  // the id the host uses for this namespace
  ino_t inode = 0;     // the namespace's identity: a new namespace under the same name is another one
};

/// What the driver read before, for incremental observation (ObserveRequest::changed_scopes): each berth
/// netns's view and the nftables table, and the scopes the driver's own actions touched since (read again).
class ObserveMemory {
 public:
  /// Notes what an action changes. Thread-safe: batches are applied from several threads.
  void Touch(const reconciler::Action& action);
  /// The scopes and whether the firewall were touched since the last call; clears them.
  std::pair<std::set<std::string>, bool> TakeTouched();

  std::map<std::string, NetnsView> views;
  std::optional<NftTableState> nft;

 private:
  std::mutex mu_;
  std::set<std::string> touched_scopes_;
  bool touched_firewall_ = false;
};

/// Reads the host. With request.changed_scopes, berth namespaces and the nftables table are taken from
/// `memory` unless named there, touched by the driver, or new; the host's own namespace, the netns
/// directory, files and sysctls are always read. The result is always the whole host.
Result<reconciler::ObservedState, reconciler::DriverError> ObserveHost(Env& env,
                                                                        const reconciler::ObserveRequest& request,
                                                                        ObserveMemory& memory);

/// Kernel features berth needs that this host lacks ("tun", "veth", "bridge", "nf_tables", "sch_ingress",
/// "cls_u32", "act_mirred", "nft_limit"), found without loading modules. Computed once per driver.
std::vector<std::string> MissingFeatures(Env& env);

}  // namespace berth::drivers::lnx
