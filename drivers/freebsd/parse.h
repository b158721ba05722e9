// Parsers for what FreeBSD's tools print: ifconfig's text (ifconfig has no libxo, facts A1), jls's libxo JSON
// (both shapes: with explicit parameters every scalar is a string, with -v jid is a number, facts A2), pfctl's
// canonical rule listing, ipfw list and route get. Pure; tested against the facts file's samples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/net.h"
#include "model/result.h"

namespace berth::drivers::freebsd {

/// One interface of `ifconfig -a` (or `ifconfig NAME`).
struct IfInfo {
  std::string name;
  bool up = false;
  int mtu = 0;
  std::string description;
  std::vector<std::string> groups;
  std::string ether;
  std::string hwaddr;
  std::vector<model::Cidr4> inet;    // in listed order; the first is the primary address
  std::vector<std::string> members;  // a bridge's "member:" lines
  bool Is(const std::string& group) const;
};
std::vector<IfInfo> ParseIfconfig(std::string_view text);

/// One jail of `jls --libxo json [-v] -d [params]`.
struct JailInfo {
  int jid = 0;
  std::string name;
  std::string path;
  std::string vnet;      // "new" or "inherit" (numbers 1 and 2 mapped to these)
  std::string hostname;
  std::string ip4;       // "new", "inherit", "disable"; empty when not listed
  std::vector<std::string> ip4_addrs;
  std::string meta;
  bool dying = false;
};
Result<std::vector<JailInfo>> ParseJls(std::string_view json);

/// `pfctl -a A -s nat`: the translation rules, normalised (NormalizePfRule), hook lines left out.
std::vector<std::string> ParsePfRules(std::string_view text);
/// Whether `pfctl -s nat` of the main ruleset hooks berth's anchors (kPfNatHook / kPfRdrHook).
struct PfHooks {
  bool nat = false;
  bool rdr = false;
};
PfHooks ParsePfHooks(std::string_view text);
/// `pfctl -a berth -s Anchors`: the children's full paths ("berth/out").
std::vector<std::string> ParsePfAnchors(std::string_view text);

/// One line of `ipfw -S list`: "20042 set 29 allow ip from ... // berth owner=Jail/j1" (without -S there is
/// no "set N" and set is -1).
struct IpfwRule {
  int number = 0;
  int set = -1;
  std::string body;     // normalised (NormalizeIpfwRule): no set, no comment
  std::string comment;  // after "// ", empty when none
};
std::vector<IpfwRule> ParseIpfwList(std::string_view text);
/// What the rules around berth's say about its layer-2 whitelist, as HostFacts::missing_features entries:
/// kIpfwBypassPrefix + rule for an accepting rule of another set numbered before berth's range that can see
/// layer-2 frames; kIpfwDefaultDeny when rule 65535 denies and no rule after berth's range allows layer2.
std::vector<std::string> IpfwFacts(const std::vector<IpfwRule>& rules);

/// A dummynet pipe of `ipfw -v pipe show` (sbin/ipfw/dummynet.c list_pipes: "%05d: %s %4d ms burst %s", the
/// bandwidth "%7.3f Mbit/s" and friends, the burst in bytes with -v).
struct DummynetPipe {
  int number = 0;
  uint64_t bw_bits = 0;  // 0: unlimited
  uint64_t burst = 0;
};
std::vector<DummynetPipe> ParsePipeShow(std::string_view text);

/// `pfctl -s info`: whether the first line says "Status: Enabled" (pfctl.c print_status).
bool ParsePfEnabled(std::string_view text);

/// `realpath ROOT ROOT/etc ROOT/etc/FILE`: where a file under a jail's root really is. safe is false when a
/// component resolves outside ROOT's own resolution (resolved says where); exists when the file resolved.
struct RealpathCheck {
  bool safe = true;
  bool exists = false;
  std::string resolved;
};
RealpathCheck ParseRealpath(std::string_view out, const std::string& file);

/// `route -n get default`: the gateway and interface; nullopt when there is no gateway line.
struct RouteInfo {
  std::string gateway;
  std::string interface;
};
std::optional<RouteInfo> ParseRouteGet(std::string_view text);

/// A gateway route other than the default one, as `netstat -rn -f inet` lists it (parse_netstat.cc).
struct NetRoute {
  std::string destination;  // canonical CIDR, "10.20.0.0/16"
  std::string gateway;      // an IPv4 address
  std::string interface;
};
/// The IPv4 routes with a gateway (flag G) of a routing table listing, the default route left out (route get
/// reads that one). Lines that do not parse are skipped: the table is the kernel's, not a user's.
std::vector<NetRoute> ParseNetstatRoutes(std::string_view text);

}  // namespace berth::drivers::freebsd
