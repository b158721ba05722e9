// Host change notifications for a long-running controller: a file descriptor that becomes readable when
// something a driver observes may have changed. Level-triggered use: an event only says "look again"; what
// changed is found by re-observing, never taken from the event.
#pragma once

namespace berth::reconciler {

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  /// Pollable (epoll/poll for reading).
  virtual int fd() const = 0;
  /// Consumes every pending notification; true when any arrived. Also follows new and removed scopes
  /// (a netns created or deleted since the last call).
  virtual bool Drain() = 0;
};

}  // namespace berth::reconciler
