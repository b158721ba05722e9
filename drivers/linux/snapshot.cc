// Reading one namespace over rtnetlink into records: link, address, qdisc, filter and route dumps.
#include "drivers/linux/snapshot.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "drivers/linux/tc_redirect.h"

namespace berth::drivers::lnx {
namespace {

constexpr int kDumpAttempts = 5;

std::string MacString(nlattr* a) {
  if (!a || nla_len(a) != 6) return {};
  const auto* b = static_cast<const unsigned char*>(nla_data(a));
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  return buf;
}

std::optional<LinkRecord> ParseLink(nlmsghdr* h) {
  if (h->nlmsg_type != RTM_NEWLINK) return std::nullopt;
  auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(h));
  nlattr* tb[IFLA_MAX + 1] = {};
  if (!ParseAttrs(h, sizeof(ifinfomsg), tb, IFLA_MAX) || !tb[IFLA_IFNAME]) return std::nullopt;
  LinkRecord l;
  l.index = ifi->ifi_index;
  l.name = AttrString(tb[IFLA_IFNAME]);
  l.up = ifi->ifi_flags & IFF_UP;
  if (tb[IFLA_MTU]) l.mtu = nla_get_u32(tb[IFLA_MTU]);
  if (tb[IFLA_GROUP]) l.group = nla_get_u32(tb[IFLA_GROUP]);
  l.alias = AttrString(tb[IFLA_IFALIAS]);
  if (ifi->ifi_type == ARPHRD_ETHER) l.mac = MacString(tb[IFLA_ADDRESS]);
  if (tb[IFLA_MASTER]) l.master = static_cast<int>(nla_get_u32(tb[IFLA_MASTER]));
  if (tb[IFLA_LINK]) l.iflink = static_cast<int>(nla_get_u32(tb[IFLA_LINK]));
  if (tb[IFLA_LINK_NETNSID]) l.link_netnsid = static_cast<int32_t>(nla_get_u32(tb[IFLA_LINK_NETNSID]));
  bool tap = false;
  if (tb[IFLA_LINKINFO]) {
    nlattr* info[IFLA_INFO_MAX + 1] = {};
    if (ParseNested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX)) {
      l.kind = AttrString(info[IFLA_INFO_KIND]);
      nlattr* tun[IFLA_TUN_MAX + 1] = {};
      if (l.kind == "tun" && info[IFLA_INFO_DATA] && ParseNested(info[IFLA_INFO_DATA], tun, IFLA_TUN_MAX)) {
        tap = tun[IFLA_TUN_TYPE] && nla_get_u8(tun[IFLA_TUN_TYPE]) == IFF_TAP;
        if (tun[IFLA_TUN_OWNER]) l.tun_owner = nla_get_u32(tun[IFLA_TUN_OWNER]);
        if (tun[IFLA_TUN_GROUP]) l.tun_group = nla_get_u32(tun[IFLA_TUN_GROUP]);
      }
    }
  }
  if (ifi->ifi_type == ARPHRD_LOOPBACK) l.type = "loopback";
  else if (l.kind == "tun") l.type = tap ? "tap" : "tun";
  else if (l.kind.empty()) l.type = "device";
  else l.type = l.kind;
  return l;
}

std::optional<AddrRecord> ParseAddr(nlmsghdr* h) {
  auto* ifa = static_cast<ifaddrmsg*>(NLMSG_DATA(h));
  if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET) return std::nullopt;
  nlattr* tb[IFA_MAX + 1] = {};
  if (!ParseAttrs(h, sizeof(ifaddrmsg), tb, IFA_MAX)) return std::nullopt;
  nlattr* a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (!a || nla_len(a) != 4) return std::nullopt;
  uint32_t be;
  std::memcpy(&be, nla_data(a), 4);
  return AddrRecord{static_cast<int>(ifa->ifa_index), model::Cidr4{model::Ipv4{ntohl(be)}, ifa->ifa_prefixlen}};
}

std::optional<RouteRecord> ParseRoute(nlmsghdr* h) {
  auto* rt = static_cast<rtmsg*>(NLMSG_DATA(h));
  if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET || rt->rtm_type != RTN_UNICAST) return std::nullopt;
  nlattr* tb[RTA_MAX + 1] = {};
  if (!ParseAttrs(h, sizeof(rtmsg), tb, RTA_MAX)) return std::nullopt;
  RouteRecord r;
  r.table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
  r.dst.prefix = rt->rtm_dst_len;
  if (tb[RTA_DST] && nla_len(tb[RTA_DST]) == 4) {
    uint32_t be;
    std::memcpy(&be, nla_data(tb[RTA_DST]), 4);
    r.dst.address.value = ntohl(be);
  }
  if (tb[RTA_OIF]) r.oif = static_cast<int>(nla_get_u32(tb[RTA_OIF]));
  if (rt->rtm_protocol == RTPROT_KERNEL) return std::nullopt;  // the address it derives from is reported
  return r;
}

template <typename Hdr>
NlMsg DumpRequest(int type, unsigned char family) {
  Hdr hdr{};
  reinterpret_cast<unsigned char*>(&hdr)[0] = family;  // every rtnetlink header starts with its family
  return NewRequest(type, 0, &hdr, sizeof hdr);
}

/// Dumps with `build` until the kernel delivers an uninterrupted listing; `reset` clears partial results.
OsStatus DumpRetrying(NlSocket& sock, const std::function<NlMsg()>& build, const std::function<void()>& reset,
                      const std::function<void(nlmsghdr*)>& on_msg) {
  for (int attempt = 1;; ++attempt) {
    reset();
    auto st = sock.Dump(build(), on_msg);
    if (st || st.error().err != EAGAIN || attempt == kDumpAttempts) return st;
  }
}

}  // namespace

const LinkRecord* Snapshot::ByIndex(int index) const {
  for (const auto& l : links) {
    if (l.index == index) return &l;
  }
  return nullptr;
}

std::string Snapshot::NameOf(int index) const {
  const LinkRecord* l = ByIndex(index);
  return l ? l->name : "";
}

Result<Snapshot, OsError> ReadSnapshot(NlSocket& sock, const SnapshotOptions& what) {
  Snapshot s;
  auto st = DumpRetrying(
      sock,
      [] {
        // Without statistics: berth reads none, and filling them is a good part of the kernel's work per link.
        NlMsg m = DumpRequest<ifinfomsg>(RTM_GETLINK, AF_UNSPEC);
        if (m && !PutU32(m.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS)) m.reset();
        return m;
      },
      [&] { s.links.clear(); },
      [&](nlmsghdr* h) {
        if (auto l = ParseLink(h)) s.links.push_back(std::move(*l));
      });
  if (!st) return Unexpected<OsError>{st.error()};
  if (what.addrs) {
    st = DumpRetrying(
        sock, [] { return DumpRequest<ifaddrmsg>(RTM_GETADDR, AF_INET); }, [&] { s.addrs.clear(); },
        [&](nlmsghdr* h) {
          if (auto a = ParseAddr(h)) s.addrs.push_back(*a);
        });
    if (!st) return Unexpected<OsError>{st.error()};
  }
  if (what.routes) {
    st = DumpRetrying(
        sock, [] { return DumpRequest<rtmsg>(RTM_GETROUTE, AF_INET); }, [&] { s.routes.clear(); },
        [&](nlmsghdr* h) {
          if (auto r = ParseRoute(h)) s.routes.push_back(*r);
        });
    if (!st) return Unexpected<OsError>{st.error()};
  }
  if (what.tc) {
    st = DumpRetrying(
        sock, [] { return DumpRequest<tcmsg>(RTM_GETQDISC, AF_UNSPEC); }, [&] {
          s.redirects.clear();
          s.shapers.clear();
        },
        [&](nlmsghdr* h) {
          if (auto index = ParseIngressQdisc(h)) s.redirects[*index] = std::nullopt;
          else if (auto shaper = ParseShaperQdisc(h)) s.shapers[shaper->index] = *shaper;
        });
    if (!st) return Unexpected<OsError>{st.error()};
    for (auto& [index, target] : s.redirects) {
      const int dev = index;
      auto fst = DumpRetrying(
          sock,
          [dev] {
            tcmsg t{};
            t.tcm_family = AF_UNSPEC;
            t.tcm_ifindex = dev;
            t.tcm_parent = kIngressParent;
            return NewRequest(RTM_GETTFILTER, 0, &t, sizeof t);
          },
          [&] { target.reset(); },
          [&](nlmsghdr* h) {
            if (h->nlmsg_type != RTM_NEWTFILTER) return;
            if (!target) target = ParseRedirectFilter(h);
          });
      // The device vanished while we read: it has no redirect any more.
      if (!fst && fst.error().err != ENODEV && fst.error().err != ENOENT && fst.error().err != EINVAL) {
        return Unexpected<OsError>{fst.error()};
      }
    }
  }
  return s;
}

Result<int, OsError> NsidOf(NlSocket& sock, int netns_fd) {
  rtgenmsg g{};
  g.rtgen_family = AF_UNSPEC;
  NlMsg m = NewRequest(RTM_GETNSID, 0, &g, sizeof g);
  if (m && !PutU32(m.get(), NETNSA_FD, static_cast<uint32_t>(netns_fd))) m.reset();
  int id = -1;
  auto st = sock.Get(std::move(m), [&](nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWNSID) return;
    nlattr* tb[NETNSA_MAX + 1] = {};
    if (ParseAttrs(h, sizeof(rtgenmsg), tb, NETNSA_MAX) && tb[NETNSA_NSID]) {
      id = static_cast<int32_t>(nla_get_u32(tb[NETNSA_NSID]));
    }
  });
  if (!st) return Unexpected<OsError>{st.error()};
  return id;
}

}  // namespace berth::drivers::lnx
