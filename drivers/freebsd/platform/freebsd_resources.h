// The FreeBSD resource vocabulary: kinds, attribute names and values shared by the FreeBSD expansion (which
// produces them), the FreeBSD driver (which observes them and turns actions into ifconfig/jail/pfctl/ipfw argv)
// and its simulator. Values are strings. Names in <> are derived in freebsd_names.h.
//
//   iface:/bridge0          type=bridge up=true mtu=N: a Bridge manifest's bridge, or (secure VNET) the per-jail
//                           bridge <bs..> owned by the jail. Observed: every host interface, type=bridge|epair|
//                           other; owned when it carries berth's description.
//   iface:/<bu..a>          type=epair up=true mtu=N bridge=<host bridge> peer=<bu..b> peer_bridge=<bs..>
//                           [ipfw=N]: the secure VNET uplink, a end on the host bridge, b end on the per-jail
//                           bridge, both on the host. ipfw (ordering only, never compared) names the rules that
//                           must be loaded before it joins the host bridge. Observed also: berth's epairs that
//                           belong to no jail record (a clone cut short before its rename, an end whose host end
//                           is gone), to be collected.
//   addr:/bridge0/10.23.42.1/24   dev=bridge0 address=10.23.42.1/24: a bridge's gateway address (owned with its
//                           interface), or a non-VNET jail's alias on a host interface with jail=j1 (owned when
//                           a jail of berth's holds the address)
//   jail:/j1                path=P vnet=new|inherit host.hostname=j1 state=active [vnet.interface=<b ends, space
//                           separated, sorted>] [epair.<if>=<host end> bridge=<B> mtu=<N> peer=<b end>]...
//                           [ip4.addr=<addresses, comma separated> | ip4=disable]: the jail with its epairs. A b end
//                           is handed over when its jail is created (jail -c vnet.interface=, as jail(8) does it)
//                           and comes back late when the jail goes, so the jail owns its epairs: its creation
//                           makes them (tagged, MTU set, renamed, onto bridge B), then the jail; its removal is
//                           jail -r, then destroying each host end, which takes both ends wherever the b end is
//                           (facts A1). A jail is thus never made again
//                           without fresh epairs. Observed, peer is the handover name while the b end is inside
//                           the live jail, its current name when it came back to the host (the in-jail name,
//                           after the jail died), "" when it is nowhere to be seen; state is active, dying (a
//                           DYING jail that still has berth's epairs) or gone (no jail, but epairs tagged for it
//                           remain): both mean the jail must be made again, after its epairs are destroyed.
//                           Created with persist and berth's tag in the jail parameter meta.
//   jif:j1/vnet0            device=vnet0 [epair=<bj..a>] [address=CIDR] [mac=MAC] up=true|false: an interface
//                           inside a VNET jail, keyed by its manifest name; device is its current name (the
//                           handover name until berth renames it). lo0 is a jif too. Goes with its jail.
//   route:j1/default        gateway=10.23.42.1 interface=vnet0: the jail's default route, through the jail
//                           interface whose subnet holds the gateway. Goes with its jail.
//   file:j1//etc/resolv.conf  content=... root=<jail path> [unsafe=<where it resolves>]: the jail's resolver
//                           configuration, written from the host under the jail's path (an empty jail has no
//                           tee of its own). Observed with realpath first: when the path resolves anywhere but
//                           <root>/etc/resolv.conf (a symlink in the jail's tree), the record says unsafe and the
//                           plan refuses to write. A setting: written when the manifest has dns, never removed.
//   pf:/berth/<nat>         nat=<rules> rdr=<rules> [egress=IF] [skipped=<forwards>]: the pf anchor berth/<nat>,
//                           rules in pf's canonical text (see NormalizePfRule), loaded with pfctl -a -f -.
//                           egress and skipped are for plan-time checks only, never compared.
//   ipfw:/20042             rules=<rule bodies, one per line> jail=j1 (not compared): secure VNET layer-2 rules
//                           under one number of berth's range [kIpfwFirstRule, kIpfwFirstRule + kIpfwRuleCount),
//                           in berth's ipfw set kIpfwSet, each with the comment "// berth owner=Jail/j1". Owned
//                           by the set: a rule of another set is never berth's, whatever its number.
//   sysctl:/net.inet.ip.forwarding   value=1 (a setting: turned on, never off, never collected)
//   dying:/<jid>            name=j1 (observed only, never owned): a DYING jail with none of berth's epairs left
//                           (it does not hold its name for a create: kern_jail.c)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/resource.h"

namespace berth::reconciler::freebsd_res {

// kinds
inline constexpr const char* kIface = "iface";
inline constexpr const char* kAddr = "addr";
inline constexpr const char* kJail = "jail";
inline constexpr const char* kJif = "jif";
inline constexpr const char* kRoute = "route";
inline constexpr const char* kPf = "pf";
inline constexpr const char* kIpfw = "ipfw";
inline constexpr const char* kSysctl = "sysctl";
inline constexpr const char* kFile = "file";
inline constexpr const char* kDying = "dying";

// iface
inline constexpr const char* kType = "type";  // bridge | epair | other
inline constexpr const char* kUp = "up";
inline constexpr const char* kMtu = "mtu";
inline constexpr const char* kPeer = "peer";
inline constexpr const char* kJailAttr = "jail";  // addr (alias), ipfw: the jail it serves
inline constexpr const char* kIpfwOrder = "ipfw";  // iface (uplink): rules to load first

// epair membership
inline constexpr const char* kBridge = "bridge";           // the bridge the host end is a member of
inline constexpr const char* kPeerBridge = "peer_bridge";  // the bridge the b end is a member of (uplinks)
inline constexpr const char* kEpair = "epair";             // jif: the pair's host end

// addr
inline constexpr const char* kDev = "dev";
inline constexpr const char* kAddress = "address";

// jail (jail(8) parameter names)
inline constexpr const char* kPath = "path";
inline constexpr const char* kVnet = "vnet";  // new | inherit
inline constexpr const char* kVnetInterface = "vnet.interface";
inline constexpr const char* kIp4Addr = "ip4.addr";
inline constexpr const char* kIp4 = "ip4";
inline constexpr const char* kHostname = "host.hostname";
inline constexpr const char* kState = "state";             // active | dying | gone
inline constexpr std::string_view kEpairPrefix = "epair.";  // epair.<in-jail name>

// jif
inline constexpr const char* kDevice = "device";
inline constexpr const char* kMac = "mac";

// route
inline constexpr const char* kGateway = "gateway";
inline constexpr const char* kInterface = "interface";

// pf
inline constexpr const char* kNat = "nat";
inline constexpr const char* kRdr = "rdr";
inline constexpr const char* kEgress = "egress";
inline constexpr const char* kSkipped = "skipped";
inline constexpr const char* kListen = "listen";  // desired only: the forwards' listen addresses (plan checks)

// ipfw
inline constexpr const char* kRules = "rules";

// sysctl, file, dying
inline constexpr const char* kValue = "value";
inline constexpr const char* kRoot = "root";      // file: the jail's path on the host
inline constexpr const char* kUnsafe = "unsafe";  // file (observed): where the path really resolves
inline constexpr const char* kContent = "content";
inline constexpr const char* kResolvConf = "/etc/resolv.conf";
inline constexpr const char* kName = "name";

inline constexpr const char* kTrue = "true";
inline constexpr const char* kFalse = "false";

/// The pf anchor berth owns; each NAT manifest gets the sub-anchor kPfAnchor/<name>. The main ruleset must hook
/// them with the kPfNatHook and kPfRdrHook lines; berth never edits the main ruleset, it reports the missing line.
inline constexpr std::string_view kPfAnchor = "berth";
inline constexpr std::string_view kPfNatHook = "nat-anchor \"berth/*\"";
inline constexpr std::string_view kPfRdrHook = "rdr-anchor \"berth/*\"";

/// ipfw rule numbers berth owns (secure VNET). Below rc.firewall's "open" catch-all at 65000.
inline constexpr int kIpfwFirstRule = 20000;
inline constexpr int kIpfwRuleCount = 1000;
/// The ipfw set berth reserves for its rules (ipfw(8) "SETS OF RULES": 0..30 usable, 31 holds the default rule).
/// berth adds with "add N set 29", deletes with "set 29 delete N" and owns exactly the rules of this set.
inline constexpr int kIpfwSet = 29;

/// The three sysctls secure VNET needs (libioc's FirewallDisabled check, facts A3).
inline constexpr const char* kSecureVnetSysctls[] = {"net.inet.ip.fw.enable", "net.link.ether.ipfw",
                                                     "net.link.bridge.ipfw"};
inline constexpr const char* kForwardingSysctl = "net.inet.ip.forwarding";

/// Host facts the FreeBSD observer reports in HostFacts::missing_features.
inline constexpr const char* kMissingVimage = "vimage";             // kern.features.vimage is not 1
inline constexpr const char* kMissingPf = "pf";                     // /dev/pf is not there (pf not loaded)
inline constexpr const char* kMissingPfNatHook = "pf-nat-anchor";   // main ruleset lacks kPfNatHook
inline constexpr const char* kMissingPfRdrHook = "pf-rdr-anchor";   // main ruleset lacks kPfRdrHook
inline constexpr const char* kMissingIpfw = "ipfw";                 // ipfw is not loaded
inline constexpr const char* kMissingJailMeta = "jail-meta";        // jls does not know the meta parameter
inline constexpr const char* kMissingPfEnabled = "pf-enabled";      // pf loaded but "Status: Disabled" (pfctl -s info)
inline constexpr const char* kIpfwDefaultDeny = "ipfw-default-deny";  // rule 65535 denies, no layer-2 allow after berth's
/// "ipfw-bypass <rule>": an accepting rule of another set numbered before berth's range that can match layer-2
/// frames, so frames it accepts never reach berth's whitelist.
inline constexpr std::string_view kIpfwBypassPrefix = "ipfw-bypass ";
/// "sysctl NAME=1" when one of kSecureVnetSysctls is not 1.
inline std::string MissingSysctl(std::string_view name) { return "sysctl " + std::string(name) + "=1"; }

/// A jail's epair as its jail record holds it: "epair.vnet0" = "<host end> bridge=<B> mtu=<N> peer=<b end>".
struct JailEpair {
  std::string ifname;    // in the jail
  std::string host_end;
  std::string bridge;
  std::string mtu;
  std::string peer;
  std::string Format() const { return host_end + " bridge=" + bridge + " mtu=" + mtu + " peer=" + peer; }
};
/// The epairs of a jail record, by in-jail name. Values that do not parse are skipped.
std::vector<JailEpair> JailEpairsOf(const Attrs& attrs);

/// The handover (b end) name of an epair from its host (a end) name and back: berth names end in 'a' and 'b'.
inline std::string PeerOf(std::string_view host_end) {
  std::string s(host_end);
  if (!s.empty()) s.back() = 'b';
  return s;
}
inline std::string HostEndOf(std::string_view peer) {
  std::string s(peer);
  if (!s.empty()) s.back() = 'a';
  return s;
}

}  // namespace berth::reconciler::freebsd_res
