// rtnetlink plumbing: sockets bound to a namespace, requests with acks, dumps, and the request pipeline.
#include "drivers/linux/netlink.h"

#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "drivers/linux/netns.h"

namespace berth::drivers::lnx {
namespace {

constexpr size_t kRecvBuf = 64 * 1024;
constexpr int kSockBuf = 4 * 1024 * 1024;

}  // namespace

NlMsg NewRequest(int type, int flags, const void* hdr, size_t hdr_len) {
  NlMsg m(nlmsg_alloc_simple(type, flags));
  if (m && hdr_len && nlmsg_append(m.get(), const_cast<void*>(hdr), hdr_len, NLMSG_ALIGNTO) < 0) m.reset();
  return m;
}

std::string RtmName(int type) {
  switch (type) {
    case RTM_NEWLINK: return "RTM_NEWLINK";
    case RTM_DELLINK: return "RTM_DELLINK";
    case RTM_GETLINK: return "RTM_GETLINK";
    case RTM_NEWADDR: return "RTM_NEWADDR";
    case RTM_DELADDR: return "RTM_DELADDR";
    case RTM_GETADDR: return "RTM_GETADDR";
    case RTM_GETROUTE: return "RTM_GETROUTE";
    case RTM_NEWQDISC: return "RTM_NEWQDISC";
    case RTM_DELQDISC: return "RTM_DELQDISC";
    case RTM_GETQDISC: return "RTM_GETQDISC";
    case RTM_NEWTFILTER: return "RTM_NEWTFILTER";
    case RTM_DELTFILTER: return "RTM_DELTFILTER";
    case RTM_GETTFILTER: return "RTM_GETTFILTER";
    case RTM_GETNSID: return "RTM_GETNSID";
    default: return "RTM_" + std::to_string(type);
  }
}

Result<std::unique_ptr<NlSocket>, OsError> NlSocket::Open(Use use) {
  nl_sock* sk = nl_socket_alloc();
  if (!sk) return OsFail(ENOMEM, "netlink socket");
  int rc = nl_connect(sk, NETLINK_ROUTE);
  if (rc < 0) {
    int err = errno ? errno : EPROTONOSUPPORT;
    nl_socket_free(sk);
    return OsFail(err, "netlink socket");
  }
  if (use == Use::kDumpsOnly) return std::unique_ptr<NlSocket>(new NlSocket(sk));
  int fd = nl_socket_get_fd(sk);
  int one = 1;
  // Short acks (no echo of the request) with the kernel's explanatory text when a request fails.
  ::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  nl_socket_set_buffer_size(sk, kSockBuf, kSockBuf);
  return std::unique_ptr<NlSocket>(new NlSocket(sk));
}

Result<std::unique_ptr<NlSocket>, OsError> NlSocket::OpenIn(int netns_fd, Use use) {
  std::optional<Result<std::unique_ptr<NlSocket>, OsError>> out;
  auto st = RunInNetns(netns_fd, [&] { out.emplace(Open(use)); });
  if (!st) return Unexpected<OsError>{st.error()};
  return std::move(*out);
}

NlSocket::~NlSocket() { nl_socket_free(sock_); }

Result<uint32_t, OsError> NlSocket::Send(nl_msg* msg, int extra_flags) {
  nlmsghdr* h = nlmsg_hdr(msg);
  h->nlmsg_flags |= NLM_F_REQUEST | extra_flags;
  h->nlmsg_seq = seq_++;
  h->nlmsg_pid = 0;
  ssize_t n;
  do n = ::send(nl_socket_get_fd(sock_), h, h->nlmsg_len, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return OsFailErrno("send " + RtmName(h->nlmsg_type));
  return h->nlmsg_seq;
}

OsStatus NlSocket::Receive(const std::function<void(nlmsghdr*)>& on_msg) {
  int fd = nl_socket_get_fd(sock_);
  // Per call, not per socket: an apply keeps one socket per namespace open, and 1,000 buffers of 64 KiB were
  // most of its peak memory. Not zero-filled: reading a short ack touches a page of it, and malloc hands the
  // same block back on the next call.
  std::unique_ptr<char[]> buf(new char[kRecvBuf]);
  ssize_t n;
  do n = ::recv(fd, buf.get(), kRecvBuf, MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return OsFailErrno("recv netlink");
  // The kernel sizes dump datagrams to at most 32 KiB, and single replies are far smaller.
  if (static_cast<size_t>(n) > kRecvBuf) return OsFail(EMSGSIZE, "recv netlink", "datagram larger than 64 KiB");
  int len = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buf.get()); nlmsg_ok(h, len); h = nlmsg_next(h, &len)) on_msg(h);
  return Ok{};
}

NlReply ParseNlError(nlmsghdr* h) {
  NlReply r;
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return NlReply{EBADMSG, "short NLMSG_ERROR"};
  auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
  r.err = -e->error;
  if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
    // With NETLINK_CAP_ACK only the request's header is echoed; the TLVs follow it.
    size_t off = sizeof(nlmsgerr);
    if (!(h->nlmsg_flags & NLM_F_CAPPED)) off += e->msg.nlmsg_len - sizeof(nlmsghdr);
    size_t total = h->nlmsg_len - NLMSG_HDRLEN;
    if (off < total) {
      auto* attrs = reinterpret_cast<nlattr*>(static_cast<char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(off));
      nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
      if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, static_cast<int>(total - NLMSG_ALIGN(off)), nullptr) == 0 &&
          tb[NLMSGERR_ATTR_MSG]) {
        r.detail = AttrString(tb[NLMSGERR_ATTR_MSG]);
      }
    }
  }
  return r;
}

OsStatus NlSocket::Call(NlMsg msg) { return Get(std::move(msg), [](nlmsghdr*) {}); }

OsStatus NlSocket::Get(NlMsg msg, const std::function<void(nlmsghdr*)>& on_msg) {
  if (!msg) return OsFail(EMSGSIZE, "build netlink request");
  const std::string name = RtmName(nlmsg_hdr(msg.get())->nlmsg_type);
  auto seq = Send(msg.get(), NLM_F_ACK);
  if (!seq) return Unexpected<OsError>{seq.error()};
  std::optional<NlReply> reply;
  while (!reply) {
    auto st = Receive([&](nlmsghdr* h) {
      if (h->nlmsg_seq != *seq || reply) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        reply = ParseNlError(h);
      } else {
        on_msg(h);
      }
    });
    if (!st) return st;
  }
  if (!reply->ok()) return OsFail(reply->err, name, reply->detail);
  return Ok{};
}

OsStatus NlSocket::Dump(NlMsg msg, const std::function<void(nlmsghdr*)>& on_msg) {
  if (!msg) return OsFail(EMSGSIZE, "build netlink request");
  const std::string name = RtmName(nlmsg_hdr(msg.get())->nlmsg_type) + " dump";
  auto seq = Send(msg.get(), NLM_F_DUMP);
  if (!seq) return Unexpected<OsError>{seq.error()};
  bool done = false, interrupted = false;
  std::optional<NlReply> failed;
  while (!done) {
    auto st = Receive([&](nlmsghdr* h) {
      if (h->nlmsg_seq != *seq || done) return;
      if (h->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
      if (h->nlmsg_type == NLMSG_DONE) {
        done = true;
      } else if (h->nlmsg_type == NLMSG_ERROR) {
        failed = ParseNlError(h);
        done = true;
      } else {
        on_msg(h);
      }
    });
    if (!st) return st;
  }
  if (failed && !failed->ok()) return OsFail(failed->err, name, failed->detail);
  // The kernel saw a change while dumping: the caller reads again.
  if (interrupted) return OsFail(EAGAIN, name, "dump interrupted by a concurrent change");
  return Ok{};
}

void NlPipeline::Add(NlMsg msg, Done done) { queued_.emplace_back(std::move(msg), std::move(done)); }

void NlPipeline::FailAll(int err) {
  auto in_flight = std::move(in_flight_);
  in_flight_.clear();
  for (auto& [seq, done] : in_flight) done(NlReply{err, ""});
}

void NlPipeline::Run() {
  while (!queued_.empty() || !in_flight_.empty()) {
    while (!queued_.empty() && in_flight_.size() < window_) {
      auto [msg, done] = std::move(queued_.front());
      queued_.pop_front();
      if (!msg) {
        done(NlReply{EMSGSIZE, "request too large"});
        continue;
      }
      auto seq = sock_.Send(msg.get(), NLM_F_ACK);
      if (!seq) {
        done(NlReply{seq.error().err, ""});
        continue;
      }
      in_flight_.emplace(*seq, std::move(done));
    }
    if (in_flight_.empty()) continue;
    std::vector<std::pair<Done, NlReply>> ready;
    auto st = sock_.Receive([&](nlmsghdr* h) {
      if (h->nlmsg_type != NLMSG_ERROR) return;
      auto it = in_flight_.find(h->nlmsg_seq);
      if (it == in_flight_.end()) return;
      ready.emplace_back(std::move(it->second), ParseNlError(h));
      in_flight_.erase(it);
    });
    // Completions run after the datagram is parsed: they may queue more requests.
    for (auto& [done, reply] : ready) done(reply);
    if (!st) FailAll(st.error().err);
  }
}

bool PutU32(nl_msg* m, int type, uint32_t v) { return nla_put_u32(m, type, v) == 0; }
bool PutStr(nl_msg* m, int type, const std::string& v) { return nla_put_string(m, type, v.c_str()) == 0; }
bool PutBytes(nl_msg* m, int type, const void* data, size_t len) {
  return nla_put(m, type, static_cast<int>(len), data) == 0;
}

bool ParseAttrs(nlmsghdr* hdr, size_t fixed_len, nlattr** tb, int max) {
  return nlmsg_parse(hdr, static_cast<int>(fixed_len), tb, max, nullptr) == 0;
}

bool ParseNested(nlattr* nest, nlattr** tb, int max) { return nla_parse_nested(tb, max, nest, nullptr) == 0; }

std::string AttrString(nlattr* a) {
  if (!a) return {};
  const char* s = static_cast<const char*>(nla_data(a));
  size_t n = static_cast<size_t>(nla_len(a));
  while (n > 0 && s[n - 1] == '\0') --n;
  return std::string(s, n);
}

}  // namespace berth::drivers::lnx
