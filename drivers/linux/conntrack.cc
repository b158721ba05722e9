// ctnetlink by hand (no libnetfilter_conntrack): dump the IPv4 table, keep the original tuples whose source is
// the address, then delete each by its tuple (and zone). A raw NETLINK_NETFILTER socket, closed on return.
#include "drivers/linux/conntrack.h"

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace berth::drivers::lnx {
namespace {

using Bytes = std::vector<uint8_t>;

const nlattr* FindAttr(const uint8_t* data, size_t len, int type) {
  size_t off = 0;
  while (off + NLA_HDRLEN <= len) {
    const auto* a = reinterpret_cast<const nlattr*>(data + off);
    if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len) return nullptr;
    if ((a->nla_type & NLA_TYPE_MASK) == type) return a;
    off += NLA_ALIGN(a->nla_len);
  }
  return nullptr;
}
const uint8_t* Payload(const nlattr* a) { return reinterpret_cast<const uint8_t*>(a) + NLA_HDRLEN; }
size_t PayloadLen(const nlattr* a) { return a->nla_len - NLA_HDRLEN; }

Bytes Header(uint16_t type, uint16_t flags, uint32_t seq) {
  Bytes m(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg)), 0);
  auto* h = reinterpret_cast<nlmsghdr*>(m.data());
  h->nlmsg_type = static_cast<uint16_t>((NFNL_SUBSYS_CTNETLINK << 8) | type);
  h->nlmsg_flags = flags;
  h->nlmsg_seq = seq;
  auto* g = reinterpret_cast<nfgenmsg*>(m.data() + NLMSG_HDRLEN);
  g->nfgen_family = AF_INET;
  g->version = NFNETLINK_V0;
  return m;
}

void Finish(Bytes& m) { reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_len = static_cast<uint32_t>(m.size()); }

class Socket {
 public:
  Socket() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Reads replies until `seq` is done (NLMSG_DONE for a dump, the ack otherwise); `on_msg` sees data messages.
template <typename F>
int ReadUntilDone(int fd, uint32_t seq, bool dump, F&& on_msg) {
  std::vector<uint8_t> buf(1 << 16);
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        int err = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        if (err != 0 || !dump) return err;
        continue;
      }
      on_msg(h);
    }
  }
}

}  // namespace

Result<int, OsError> DeleteConntrackFrom(uint32_t address) {
  Socket sock;
  if (sock.fd() < 0) return OsFail(errno, "socket(NETLINK_NETFILTER)");
  const uint32_t wanted = htonl(address);
  Bytes dump = Header(IPCTNL_MSG_CT_GET, NLM_F_REQUEST | NLM_F_DUMP, 1);
  Finish(dump);
  if (::send(sock.fd(), dump.data(), dump.size(), 0) < 0) return OsFail(errno, "ctnetlink dump");
  struct Victim {
    Bytes tuple;  // the whole CTA_TUPLE_ORIG attribute
    Bytes zone;   // the whole CTA_ZONE attribute, if any
  };
  std::vector<Victim> victims;
  const size_t fixed = NLMSG_ALIGN(sizeof(nfgenmsg));
  int err = ReadUntilDone(sock.fd(), 1, true, [&](nlmsghdr* h) {
    if (h->nlmsg_len < NLMSG_HDRLEN + fixed) return;
    const uint8_t* attrs = static_cast<const uint8_t*>(NLMSG_DATA(h)) + fixed;
    const size_t len = h->nlmsg_len - NLMSG_HDRLEN - fixed;
    const nlattr* orig = FindAttr(attrs, len, CTA_TUPLE_ORIG);
    if (!orig) return;
    const nlattr* ip = FindAttr(Payload(orig), PayloadLen(orig), CTA_TUPLE_IP);
    if (!ip) return;
    const nlattr* src = FindAttr(Payload(ip), PayloadLen(ip), CTA_IP_V4_SRC);
    if (!src || PayloadLen(src) != 4 || std::memcmp(Payload(src), &wanted, 4) != 0) return;
    Victim v;
    const auto* o = reinterpret_cast<const uint8_t*>(orig);
    v.tuple.assign(o, o + NLA_ALIGN(orig->nla_len));
    if (const nlattr* zone = FindAttr(attrs, len, CTA_ZONE)) {
      const auto* z = reinterpret_cast<const uint8_t*>(zone);
      v.zone.assign(z, z + NLA_ALIGN(zone->nla_len));
    }
    victims.push_back(std::move(v));
  });
  if (err != 0) return OsFail(err, "ctnetlink dump");
  int deleted = 0;
  uint32_t seq = 2;
  for (const Victim& v : victims) {
    Bytes m = Header(IPCTNL_MSG_CT_DELETE, NLM_F_REQUEST | NLM_F_ACK, seq);
    m.insert(m.end(), v.tuple.begin(), v.tuple.end());
    m.insert(m.end(), v.zone.begin(), v.zone.end());
    Finish(m);
    if (::send(sock.fd(), m.data(), m.size(), 0) < 0) return OsFail(errno, "ctnetlink delete");
    int e = ReadUntilDone(sock.fd(), seq++, false, [](nlmsghdr*) {});
    if (e == 0) ++deleted;
    else if (e != ENOENT) return OsFail(e, "ctnetlink delete");
  }
  return deleted;
}

}  // namespace berth::drivers::lnx
