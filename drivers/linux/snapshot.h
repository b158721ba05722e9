// What the observer reads from one network namespace over rtnetlink, as plain records: links, IPv4
// addresses, ingress redirects, routes. Reading tolerates objects that vanish meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/linux/netlink.h"
#include "drivers/linux/tc_shaper.h"
#include "model/net.h"

namespace berth::drivers::lnx {

struct LinkRecord {
  int index = 0;
  std::string name;
  std::string kind;     // IFLA_INFO_KIND ("bridge", "veth", "tun"...); empty for physical devices
  std::string type;     // vocabulary type: bridge, veth, tap, loopback, tun, device, or the kind
  bool up = false;      // IFF_UP (administrative state)
  uint32_t mtu = 0;
  uint32_t group = 0;
  std::string alias;
  std::string mac;      // lower case, empty when the device has no Ethernet address
  int master = 0;       // ifindex of the master in the same namespace, 0 for none
  int iflink = 0;       // IFLA_LINK: the peer's ifindex for a veth
  std::optional<int> link_netnsid;  // the peer's namespace id when it lives elsewhere
  std::optional<uint32_t> tun_owner, tun_group;
};

struct AddrRecord {
  int index = 0;
  model::Cidr4 cidr;
};

struct RouteRecord {
  model::Cidr4 dst;
  int oif = 0;
  uint32_t table = 0;
};

struct Snapshot {
  std::vector<LinkRecord> links;
  std::vector<AddrRecord> addrs;
  std::map<int, std::optional<int>> redirects;  // ifindex with an ingress qdisc -> redirect target ifindex
  std::map<int, ShaperRecord> shapers;          // ifindex -> berth's root tbf on it (tc_shaper.h)
  std::vector<RouteRecord> routes;

  const LinkRecord* ByIndex(int index) const;
  std::string NameOf(int index) const;
};

struct SnapshotOptions {
  bool addrs = true;
  bool tc = false;
  bool routes = false;
};

/// Reads a namespace through `sock`, retrying dumps the kernel marks as interrupted.
Result<Snapshot, OsError> ReadSnapshot(NlSocket& sock, const SnapshotOptions& what);

/// The namespace id that `sock`'s namespace uses for the namespace of `netns_fd`; -1 when none is assigned.
Result<int, OsError> NsidOf(NlSocket& sock, int netns_fd);

}  // namespace berth::drivers::lnx
