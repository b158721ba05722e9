// The argv berth runs for each kind of FreeBSD action, and the values it refuses to put into one.
#include <gtest/gtest.h>

#include "drivers/freebsd/argv_check.h"
#include "drivers/freebsd/explain.h"
#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::drivers::freebsd {
namespace {

using reconciler::Action;
using reconciler::Attrs;
using reconciler::Op;
using reconciler::Resource;
using Lines = std::vector<std::string>;

Resource R(std::string kind, std::string scope, std::string name, Attrs attrs, std::string origin = "Jail/j1") {
  Resource r;
  r.key = {std::move(kind), std::move(scope), std::move(name)};
  r.attrs = std::move(attrs);
  r.provenance = reconciler::Provenance(std::move(origin), {});
  return r;
}

/// Each command as one line, arguments joined by '|' so spaces inside an argument stay visible.
Lines Cmds(Op op, Resource r, std::vector<std::string> fields = {}) {
  auto cmds = Explain(Action{1, op, std::move(r), std::move(fields)});
  EXPECT_TRUE(cmds.ok()) << (cmds.ok() ? "" : cmds.error().message);
  Lines out;
  if (!cmds.ok()) return out;
  for (const auto& c : *cmds) {
    std::string line;
    for (const auto& a : c.argv) line += (line.empty() ? "" : "|") + a;
    if (!c.input.empty()) line += " <<" + c.input;
    out.push_back(line);
  }
  return out;
}

std::string Refusal(Op op, Resource r) {
  auto cmds = Explain(Action{1, op, std::move(r), {}});
  return cmds.ok() ? "" : cmds.error().message;
}

TEST(Explain, AJailMakesItsEpairsTaggedAtBirthWithTheirMtuBeforeAddmThenHandsThemOver) {
  Resource jail = R("jail", "", "j1", {{"path", "/jails/j1"}, {"vnet", "new"}, {"state", "active"},
                                       {"epair.vnet0", "bj00000001a bridge=bridge0 mtu=9000 peer=bj00000001b"},
                                       {"vnet.interface", "bj00000001b"}});
  EXPECT_EQ(Cmds(Op::kCreate, jail),
            (Lines{"ifconfig|epair|create|description|berth owner=Jail/j1 end=a if=vnet0|mtu|9000|up",
                   "ifconfig|epair<N>a|name|bj00000001a",
                   "ifconfig|epair<N>b|name|bj00000001b|description|berth owner=Jail/j1 end=b if=vnet0 pair=bj00000001a|mtu|9000|up",
                   "ifconfig|bridge0|addm|bj00000001a|up",
                   "jail|-c|name=j1|path=/jails/j1|persist|vnet|vnet.interface=bj00000001b|meta=berth owner=Jail/j1"}));
  // Removal: the jail, then each host end, which takes both ends wherever they are.
  EXPECT_EQ(Cmds(Op::kDelete, jail), (Lines{"jail|-r|j1", "ifconfig|bj00000001a|destroy"}));
  jail.attrs["state"] = "gone";  // died behind berth's back: only its epairs are left
  EXPECT_EQ(Cmds(Op::kDelete, jail), Lines{"ifconfig|bj00000001a|destroy"});
}

TEST(Explain, AnUplinkJoinsBothBridges) {
  Resource uplink = R("iface", "", "bu00000001a", {{"type", "epair"}, {"peer", "bu00000001b"}, {"mtu", "1500"},
                                                   {"bridge", "bridge0"}, {"peer_bridge", "bs00000001"}});
  EXPECT_EQ(Cmds(Op::kCreate, uplink),
            (Lines{"ifconfig|epair|create|description|berth owner=Jail/j1 end=a|mtu|1500|up",
                   "ifconfig|epair<N>a|name|bu00000001a",
                   "ifconfig|epair<N>b|name|bu00000001b|description|berth owner=Jail/j1 end=b pair=bu00000001a|mtu|1500|up",
                   "ifconfig|bs00000001|addm|bu00000001b|up", "ifconfig|bridge0|addm|bu00000001a|up"}));
  EXPECT_EQ(Cmds(Op::kDelete, uplink), Lines{"ifconfig|bu00000001a|destroy"});
}

TEST(Explain, ABridgeIsClonedUnderTheNextUnitAndRenamed) {
  Resource bridge = R("iface", "", "bridge0", {{"type", "bridge"}, {"up", "true"}}, "Bridge/bridge0");
  EXPECT_EQ(Cmds(Op::kCreate, bridge), (Lines{"ifconfig|bridge|create|description|berth owner=Bridge/bridge0|up",
                                              "ifconfig|bridge<N>|name|bridge0"}));
  EXPECT_EQ(Cmds(Op::kUpdate, bridge, {"up"}), Lines{"ifconfig|bridge0|up"});
}

TEST(Explain, JailsGetTheirEndsAtCreationAndBerthsMark) {
  Resource vnet = R("jail", "", "j1", {{"path", "/jails/j1"}, {"vnet", "new"}, {"host.hostname", "j1"},
                                       {"vnet.interface", "bj00000001b bj00000002b"}});
  EXPECT_EQ(Cmds(Op::kCreate, vnet),
            Lines{"jail|-c|name=j1|path=/jails/j1|host.hostname=j1|persist|vnet|vnet.interface=bj00000001b|"
                  "vnet.interface=bj00000002b|meta=berth owner=Jail/j1"});
  EXPECT_EQ(Cmds(Op::kDelete, vnet), Lines{"jail|-r|j1"});
  EXPECT_NE(Refusal(Op::kCreate, R("jail", "", "j1", {{"path", "/j"}, {"vnet", "new"},
                                                      {"epair.vnet0", "bj1a bridge=-x mtu=1500 peer=bj1b"}})),
            "");
  Resource flat = R("jail", "", "legacy", {{"path", "/jails/legacy"}, {"vnet", "inherit"}, {"ip4.addr", "10.1.1.10,10.1.1.11"}},
                    "Jail/legacy");
  EXPECT_EQ(Cmds(Op::kCreate, flat),
            Lines{"jail|-c|name=legacy|path=/jails/legacy|persist|ip4.addr=10.1.1.10,10.1.1.11|meta=berth owner=Jail/legacy"});
  EXPECT_EQ(Cmds(Op::kUpdate, flat, {"ip4.addr"}), Lines{"jail|-m|name=legacy|ip4.addr=10.1.1.10,10.1.1.11"});
}

TEST(Explain, InsideTheJailFromTheHost) {
  // The host's ifconfig and route attached to the jail (-j), one address family per ifconfig command, and
  // resolv.conf written under the jail's path: nothing of the jail's own runs.
  Resource jif = R("jif", "j1", "vnet0", {{"device", "vnet0"}, {"epair", "bj00000001a"}, {"address", "10.0.0.2/24"},
                                          {"mac", "02:00:00:00:00:01"}, {"up", "true"}});
  EXPECT_EQ(Cmds(Op::kCreate, jif), (Lines{"ifconfig|-j|j1|bj00000001b|name|vnet0",
                                           "ifconfig|-j|j1|vnet0|ether|02:00:00:00:00:01",
                                           "ifconfig|-j|j1|vnet0|inet|10.0.0.2/24|up"}));
  EXPECT_EQ(Cmds(Op::kUpdate, jif, {"address"}),
            (Lines{"ifconfig|-j|j1|vnet0|ether|02:00:00:00:00:01", "ifconfig|-j|j1|vnet0|inet|10.0.0.2/24|up"}));
  EXPECT_EQ(Cmds(Op::kDelete, jif), Lines{});
  Resource lo = R("jif", "j1", "lo0", {{"device", "lo0"}, {"up", "false"}});
  EXPECT_EQ(Cmds(Op::kCreate, lo), Lines{"ifconfig|-j|j1|lo0|down"});
  Resource route = R("route", "j1", "default", {{"gateway", "10.0.0.1"}, {"interface", "vnet0"}});
  EXPECT_EQ(Cmds(Op::kCreate, route), Lines{"route|-j|j1|add|default|10.0.0.1"});
  EXPECT_EQ(Cmds(Op::kUpdate, route, {"gateway"}), Lines{"route|-j|j1|change|default|10.0.0.1"});
  Resource resolv = R("file", "j1", "/etc/resolv.conf", {{"content", "nameserver 10.0.0.1\n"}, {"root", "/jails/j1"}});
  EXPECT_EQ(Cmds(Op::kCreate, resolv), Lines{"tee|/jails/j1/etc/resolv.conf <<nameserver 10.0.0.1\n"});
  EXPECT_NE(Refusal(Op::kCreate, R("file", "j1", "/etc/resolv.conf", {{"content", "x"}, {"root", "/jails/../etc"}})), "");
  EXPECT_NE(Refusal(Op::kCreate, R("file", "j1", "/etc/resolv.conf", {{"content", "x"}, {"root", "/"}})), "");
  EXPECT_NE(Refusal(Op::kCreate, R("file", "j1", "/etc/resolv.conf", {{"content", "x"}})), "");
}

TEST(Explain, PfAnchorsLoadAtomicallyAndIpfwRulesByNumber) {
  Resource pf = R("pf", "", "berth/out", {{"nat", "nat on em0 inet from 10.0.0.0/24 to any -> (em0)"}, {"rdr", ""}}, "NAT/out");
  EXPECT_EQ(Cmds(Op::kCreate, pf), Lines{"pfctl|-a|berth/out|-f|- <<nat on em0 inet from 10.0.0.0/24 to any -> (em0)\n"});
  EXPECT_EQ(Cmds(Op::kDelete, pf), Lines{"pfctl|-a|berth/out|-F|nat"});
  Resource ipfw = R("ipfw", "", "20001", {{"rules", "deny log ip from any to any layer2 out via bj1a"}});
  EXPECT_EQ(Cmds(Op::kUpdate, ipfw, {"rules"}),
            (Lines{"ipfw|-q|set|29|delete|20001",
                   "ipfw|-q|add|20001|set|29|deny|log|ip|from|any|to|any|layer2|out|via|bj1a|//|berth|owner=Jail/j1"}));
  // Only rules of berth's set are ever deleted, whatever their number; new ones only in berth's range.
  EXPECT_EQ(Cmds(Op::kDelete, R("ipfw", "", "100", {})), Lines{"ipfw|-q|set|29|delete|100"});
  EXPECT_EQ(Refusal(Op::kCreate, R("ipfw", "", "100", {{"rules", "allow ip from any to any"}})),
            "ipfw:/100: refusing ipfw rule number \"100\" in a command");
  EXPECT_EQ(Refusal(Op::kDelete, R("ipfw", "", "65535", {})), "ipfw:/65535: refusing ipfw rule number \"65535\" in a command");
  EXPECT_EQ(Refusal(Op::kDelete, R("pf", "", "main", {})), "pf:/main: refusing pf anchor \"main\" in a command");
}

TEST(Explain, RefusesValuesThatMustNotReachAnArgv) {
  EXPECT_EQ(Refusal(Op::kDelete, R("iface", "", "-l", {})), "iface:/-l: refusing interface name \"-l\" in a command");
  EXPECT_EQ(Refusal(Op::kDelete, R("iface", "", "sixteen-chars-xy", {})),
            "iface:/sixteen-chars-xy: refusing interface name \"sixteen-chars-xy\" in a command");
  EXPECT_EQ(Refusal(Op::kDelete, R("jail", "", "a.b", {})), "jail:/a.b: refusing jail name \"a.b\" in a command");
  EXPECT_EQ(Refusal(Op::kCreate, R("jail", "", "j1", {{"path", "/jails/../etc"}, {"vnet", "new"}})),
            "jail:/j1: refusing path \"/jails/../etc\" in a command");
  EXPECT_EQ(Refusal(Op::kCreate, R("addr", "", "em0/x", {{"dev", "em0"}, {"address", "10.0.0.1/24 -alias"}})),
            "addr:/em0/x: refusing address \"10.0.0.1/24 -alias\" in a command");
  EXPECT_EQ(Refusal(Op::kCreate, R("pf", "", "berth/out", {{"nat", "nat on em0\u0001"}})),
            "pf:/berth/out: refusing text \"nat on em0\u0001\" in a command");
  EXPECT_NE(Refusal(Op::kCreate, R("iface", "", "br0", {{"type", "bridge"}}, "")), "");  // no owner for the tag
}

TEST(ArgvCheck, Names) {
  EXPECT_TRUE(IsSafeInterfaceName("vnet0:3"));
  EXPECT_TRUE(IsSafeInterfaceName("vnet0.29"));
  EXPECT_FALSE(IsSafeInterfaceName(""));
  EXPECT_FALSE(IsSafeInterfaceName("-up"));
  EXPECT_FALSE(IsSafeInterfaceName("a b"));
  EXPECT_TRUE(IsSafeJailName("web_1"));
  EXPECT_FALSE(IsSafeJailName("Web"));
  EXPECT_FALSE(IsSafePath("relative"));
  EXPECT_FALSE(IsSafePath("/a\nb"));
  EXPECT_TRUE(IsSafeAnchor("berth/bridge0-outbound"));
  EXPECT_FALSE(IsSafeAnchor("berth/../x"));
}

}  // namespace
}  // namespace berth::drivers::freebsd
