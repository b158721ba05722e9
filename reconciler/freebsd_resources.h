// The FreeBSD resource vocabulary: kinds, attribute names and values shared by the FreeBSD expansion (which
// produces them), the FreeBSD driver (which observes them and turns actions into ifconfig/jail/pfctl/ipfw argv)
// and its simulator. Values are strings. Names in <> are derived in model/naming.h.
//
//   iface:/bridge0          type=bridge up=true [mtu=N]; a Bridge manifest's bridge, or (secure VNET) the
//                           per-jail bridge <bs..> owned by the jail. Observed: every host interface, with
//                           type=bridge|epair|other; only those with berth's description are owned.
//   iface:/<bj..a>          type=epair up=true peer=<bj..b> jail=j1 ifname=vnet0 jail.path=P
//                           jail.vnet.interface=<the jail's> [mtu=N]: both ends of a jail's epair, keyed by the
//                           host end; ifname is the b end's in-jail name. A b end can only be handed over when
//                           its jail is created, so the epair mirrors what makes its jail be recreated (path,
//                           vnet.interface): observed from the live jail its b end is in, absent otherwise; a
//                           jail is never recreated without fresh epairs. peer is the b end's handover name;
//                           observed,
//                           it is that name while the b end is on the host under it or inside a live jail,
//                           the b end's current name when it came back to the host under another (its in-jail
//                           name, after the jail died), and "" when it is nowhere to be seen (a dying jail).
//                           Destroying the host end destroys both, wherever the b end is (facts A1).
//   iface:/<bu..a>          type=epair up=true peer=<bu..b> (secure VNET uplink: a on the host bridge, b on the
//                           per-jail bridge; both stay on the host; no jail attribute)
//   member:/<port>          bridge=bridge0 [epair=<host end>] [ipfw=N]: <port> is a member of the bridge (an
//                           interface is a member of one bridge at most, so the port is the key). epair names the
//                           pair a b end port belongs to; ipfw (ordering only, never compared) the rules that
//                           must be loaded before a secure jail's uplink joins the host bridge. Owned when the
//                           port is berth's; goes with the port.
//   addr:/bridge0/10.23.42.1/24   dev=bridge0 address=10.23.42.1/24: a bridge's gateway address (owned with its
//                           interface), or a non-VNET jail's alias on a host interface with jail=j1 (owned when
//                           a jail of berth's holds the address)
//   jail:/j1                path=/jails/j1 vnet=new|inherit host.hostname=j1 [vnet.interface=<b ends, space
//                           separated>] [ip4.addr=<addresses, comma separated>] [ip4=disable]; created with
//                           persist and berth's tag in the jail parameter meta. Dying jails are not jail
//                           records (see dying below).
//   jif:j1/vnet0            device=vnet0 [epair=<bj..a>] [address=CIDR] [mac=MAC] up=true|false: an interface
//                           inside a VNET jail, keyed by its manifest name; device is its current name (the
//                           handover name until berth renames it). lo0 is a jif too. Goes with its jail.
//   route:j1/default        gateway=10.23.42.1 interface=vnet0: the jail's default route, through the jail
//                           interface whose subnet holds the gateway. Goes with its jail.
//   file:j1//etc/resolv.conf  content=...: the jail's resolver configuration, written inside the jail (jexec
//                           J tee), so a symlink in the jail's tree cannot redirect the write onto the host.
//                           A setting: written when the manifest has dns, never removed.
//   pf:/berth/<nat>         nat=<rules> rdr=<rules> [egress=IF] [skipped=<forwards>]: the pf anchor berth/<nat>,
//                           rules in pf's canonical text (see NormalizePfRule), loaded with pfctl -a -f -.
//                           egress and skipped are for plan-time checks only, never compared.
//   ipfw:/20042             rules=<rule bodies, one per line> jail=j1 (not compared): secure VNET layer-2 rules
//                           under one number of berth's range [kIpfwFirstRule, kIpfwFirstRule + kIpfwRuleCount),
//                           each with the comment "// berth owner=Jail/j1".
//   sysctl:/net.inet.ip.forwarding   value=1 (a setting: turned on, never off, never collected)
//   dying:/<jid>            name=j1 (observed only, never owned): a jail in the DYING state; it keeps its
//                           interfaces and may block its name
#pragma once

#include <string>
#include <string_view>

namespace berth::reconciler::freebsd_res {

// kinds
inline constexpr const char* kIface = "iface";
inline constexpr const char* kMember = "member";
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
inline constexpr const char* kJailAttr = "jail";  // iface (epair), addr (alias), ipfw: the jail it serves
inline constexpr const char* kIfname = "ifname";  // iface (jail epair): the b end's in-jail name
inline constexpr const char* kJailPath = "jail.path";                       // iface (jail epair)
inline constexpr const char* kJailVnetInterface = "jail.vnet.interface";   // iface (jail epair)

// member
inline constexpr const char* kBridge = "bridge";
inline constexpr const char* kEpair = "epair";  // member of a b end, jif: the pair's host end

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

// ipfw
inline constexpr const char* kRules = "rules";

// sysctl, file, dying
inline constexpr const char* kValue = "value";
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
/// "sysctl NAME=1" when one of kSecureVnetSysctls is not 1.
inline std::string MissingSysctl(std::string_view name) { return "sysctl " + std::string(name) + "=1"; }

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
