// A thin rtnetlink client over libnl's socket and message API: synchronous requests, dumps, and a pipeline
// that keeps many requests in flight on one socket and hands each ack to its own completion.
#pragma once

#include <linux/netlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {

struct NlMsgDeleter {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using NlMsg = std::unique_ptr<nl_msg, NlMsgDeleter>;

/// A new request message of `type` with `flags` (NLM_F_REQUEST|NLM_F_ACK are added when sent) and the
/// fixed header `hdr` of `hdr_len` bytes (ifinfomsg, ifaddrmsg, tcmsg...).
NlMsg NewRequest(int type, int flags, const void* hdr, size_t hdr_len);

/// "RTM_NEWLINK" for the message types the driver uses.
std::string RtmName(int type);

/// A NETLINK_ROUTE socket. Its namespace is the one of the thread that opened it, for its whole life, so a
/// socket opened inside a netns (see OpenIn) can then be used from any thread. Not thread-safe.
class NlSocket {
 public:
  /// What a socket is for. Sockets that only read dumps skip the options for requests (short acks with the
  /// kernel's error text, large buffers): observing 1,000 namespaces opens 1,000 sockets, and on a virtual
  /// machine each option is a system call of several microseconds.
  enum class Use { kRequests, kDumpsOnly };
  /// Opens a socket in the calling thread's network namespace.
  static Result<std::unique_ptr<NlSocket>, OsError> Open(Use use = Use::kRequests);
  /// Opens a socket in the namespace of `netns_fd` (the calling thread enters it and returns).
  static Result<std::unique_ptr<NlSocket>, OsError> OpenIn(int netns_fd, Use use = Use::kRequests);
  ~NlSocket();
  NlSocket(const NlSocket&) = delete;
  NlSocket& operator=(const NlSocket&) = delete;

  /// Sends one request and waits for its ack.
  OsStatus Call(NlMsg msg);
  /// Sends a request with an ack and calls `on_msg` for each reply before the ack (RTM_GETLINK by name).
  OsStatus Get(NlMsg msg, const std::function<void(nlmsghdr*)>& on_msg);
  /// Sends a dump request (NLM_F_DUMP is added) and calls `on_msg` for each reply until NLMSG_DONE.
  OsStatus Dump(NlMsg msg, const std::function<void(nlmsghdr*)>& on_msg);

  /// Low level, for NlPipeline: sends `msg` with a fresh sequence number, which it returns.
  Result<uint32_t, OsError> Send(nl_msg* msg, int extra_flags);
  /// Reads one datagram and calls `on_msg` for every message in it.
  OsStatus Receive(const std::function<void(nlmsghdr*)>& on_msg);

 private:
  explicit NlSocket(nl_sock* sock) : sock_(sock) {}
  nl_sock* sock_;
  uint32_t seq_ = 1;
};

/// Result of a request as seen by a pipeline completion: ok, or the errno and extended ack.
struct NlReply {
  int err = 0;          // positive errno; 0 on success
  std::string detail;   // kernel's extended ack message
  bool ok() const { return err == 0; }
};

/// Extracts errno and extended-ack text from an NLMSG_ERROR message.
NlReply ParseNlError(nlmsghdr* hdr);

/// Keeps up to a window of requests in flight on one socket; completions run on the caller's thread, in
/// the order acks arrive, and may Add follow-up requests. Requests on one socket are processed by the
/// kernel in order, so a follow-up sent after its predecessor's ack sees its effect.
class NlPipeline {
 public:
  using Done = std::function<void(const NlReply&)>;
  explicit NlPipeline(NlSocket& sock, size_t window = 64) : sock_(sock), window_(window) {}

  void Add(NlMsg msg, Done done);
  bool idle() const { return queued_.empty() && in_flight_.empty(); }
  /// Runs until every request (including follow-ups) has completed. A socket failure completes every
  /// outstanding request with that errno.
  void Run();

 private:
  void FailAll(int err);

  NlSocket& sock_;
  size_t window_;
  std::deque<std::pair<NlMsg, Done>> queued_;
  std::map<uint32_t, Done> in_flight_;
};

/// Attribute helpers over libnl that return false on overflow (callers treat that as EMSGSIZE).
bool PutU32(nl_msg* m, int type, uint32_t v);
bool PutStr(nl_msg* m, int type, const std::string& v);
bool PutBytes(nl_msg* m, int type, const void* data, size_t len);

/// Parses a message's attributes after its fixed header into tb[0..max]; unknown types are ignored.
bool ParseAttrs(nlmsghdr* hdr, size_t fixed_len, nlattr** tb, int max);
bool ParseNested(nlattr* nest, nlattr** tb, int max);
std::string AttrString(nlattr* a);

}  // namespace berth::drivers::lnx
