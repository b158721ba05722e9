// Host change notifications for a long-running controller: a file descriptor that becomes readable when
// something a driver observes may have changed. Level-triggered use: an event only says "look again"; what
// changed is found by re-observing, never taken from the event. The feed narrows where to look.
#pragma once

#include <set>
#include <string>

namespace berth::reconciler {

/// Where the host may have changed since the last Drain.
struct HostChanges {
  bool any = false;                // something happened (the host's own namespace is always read again)
  std::set<std::string> scopes;    // named namespaces whose objects changed, appeared or went away
  bool firewall = false;           // the firewall ruleset changed

  void Merge(const HostChanges& other) {
    any = any || other.any;
    scopes.insert(other.scopes.begin(), other.scopes.end());
    firewall = firewall || other.firewall;
  }
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  /// Pollable (epoll/poll for reading).
  virtual int fd() const = 0;
  /// Consumes every pending notification and says where they came from. Also follows new and removed scopes
  /// (a netns created or deleted since the last call).
  virtual HostChanges Drain() = 0;
};

}  // namespace berth::reconciler
