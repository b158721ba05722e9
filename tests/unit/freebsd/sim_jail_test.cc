// The simulated host's jails (facts A2): vnet.interface hands an epair end over at creation, as a later
// "ifconfig X vnet J" also does (jail(8) does exactly that); jexec runs only the jail's own binaries; removal
// returns the end asynchronously under its in-jail name, with its
// description and without its custom groups; DYING jails; jls's JSON shapes; pf anchors replaced wholesale.
#include <gtest/gtest.h>

#include "drivers/freebsd/parse.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

using sim::SimFreeBsd;

TEST(SimJail, HandsTheInterfaceOverAtCreation) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  EXPECT_EQ(Out(host, "jail -c name=j1 path=/ persist vnet vnet.interface=epair0b"), "j1: created\n");
  EXPECT_EQ(Out(host, "ifconfig -l"), "lo0 em0 epair0a\n");
  EXPECT_EQ(Out(host, "ifconfig -j j1 -l"), "lo0 epair0b\n");
  EXPECT_EQ(ErrOf(host, "jail -c name=j1 path=/ persist"), "jail: \"j1\" already exists\n");
}

TEST(SimJail, MovingAnEpairAfterCreationWorksLikeJail8sOwnMove) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  Out(host, "jail -c name=j1 path=/ persist vnet");
  Out(host, "ifconfig epair0b vnet j1");
  EXPECT_EQ(Out(host, "ifconfig -j j1 -l"), "lo0 epair0b\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0a -vnet j1"), "ifconfig: SIOCSIFRVNET(1, epair0a): Device not configured\n");
  Out(host, "ifconfig epair0b -vnet j1");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0b vnet nosuch"), "ifconfig: jail \"nosuch\" not found\n");
  Out(host, "jail -c name=flat path=/ persist");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0b vnet flat"), "ifconfig: SIOCSIFVNET: File exists\n");
}

TEST(SimJail, JexecRunsOnlyWhatTheJailsTreeHolds) {
  SimFreeBsd host;
  Out(host, "jail -c name=j1 path=/jails/j1 persist vnet");
  EXPECT_EQ(ErrOf(host, "jexec j1 /sbin/ifconfig -a"), "jexec: execvp: /sbin/ifconfig: No such file or directory\n");
  EXPECT_EQ(ErrOf(host, "jail -c name=j2 path=/ persist vnet vnet.interface+=epair0b"),
            "jail: j2: unknown parameter: vnet.interface+\n");
}

TEST(SimJail, HandoverOfAMissingInterfaceFailsAndLeavesNoJail) {
  SimFreeBsd host;
  CommandResult r = Sh(host, "jail -c name=j1 path=/ persist vnet vnet.interface=epair7b");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.err.find("ifconfig: interface epair7b does not exist"), std::string::npos);
  EXPECT_EQ(ErrOf(host, "ifconfig -j j1 -a"), "ifconfig: jail \"j1\" not found\n");
}

TEST(SimJail, RemovalReturnsTheEndLaterUnderItsInJailNameWithItsDescription) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  host.Run({"ifconfig", "epair0b", "description", "berth owner=Jail/j1 end=b", "group", "jailends"}, "");
  Out(host, "jail -c name=j1 path=/ persist vnet vnet.interface=epair0b");
  Out(host, "ifconfig -j j1 epair0b name vnet0");
  Out(host, "ifconfig -j j1 vnet0 inet 10.0.0.2/24 up");
  EXPECT_EQ(Out(host, "jail -r j1"), "j1: removed\n");
  EXPECT_EQ(Out(host, "ifconfig -l"), "lo0 em0 epair0a\n");  // the teardown is asynchronous (facts A2)
  EXPECT_EQ(Out(host, "ifconfig -l"), "lo0 em0 epair0a vnet0\n");
  auto back = ParseIfconfig(Out(host, "ifconfig vnet0"));
  EXPECT_EQ(back[0].description, "berth owner=Jail/j1 end=b");  // kept (facts A1)
  EXPECT_EQ(back[0].groups, std::vector<std::string>{"epair"});  // custom group lost, cloner group kept
  EXPECT_TRUE(back[0].inet.empty());                             // addresses gone
  EXPECT_EQ(ErrOf(host, "jail -r j1"), "jail: \"j1\" not found\n");
}

TEST(SimJail, AReturnedEndBlocksTheClonersUnit) {
  // A jail end returning as "epair0b" (iocage renames it so inside) makes the next epair0 clone fail.
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  Out(host, "ifconfig epair0a name vnet0.1");
  Out(host, "ifconfig epair0b name e1");
  Out(host, "jail -c name=j1 path=/ persist vnet vnet.interface=e1");
  Out(host, "ifconfig -j j1 e1 name epair1b");
  host.KillJail("j1");
  host.Settle();
  // Unit 0 is taken by the pair itself, so the cloner picks unit 1, whose b name came back from the jail.
  EXPECT_EQ(ErrOf(host, "ifconfig epair create"), "ifconfig: SIOCIFCREATE2: File exists\n");
}

TEST(SimJail, DyingJailsKeepTheirNameAndInterfacesAndCannotBeEntered) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  Out(host, "jail -c name=j1 path=/ persist vnet vnet.interface=epair0b");
  host.HoldDying("j1", 100);
  Out(host, "jail -r j1");
  EXPECT_EQ(ErrOf(host, "ifconfig -j j1 -a"), "ifconfig: jail \"j1\" not found\n");
  Out(host, "jail -c name=j1 path=/ persist");  // a dying jail does not hold its name (kern_jail.c)
  Out(host, "jail -r j1");
  auto jails = ParseJls(Out(host, "jls --libxo json -d jid name dying"));
  ASSERT_TRUE(jails.ok());
  ASSERT_EQ(jails->size(), 1u);
  EXPECT_TRUE((*jails)[0].dying);
  EXPECT_TRUE(ParseJls(Out(host, "jls --libxo json jid name"))->empty());
  Out(host, "ifconfig epair0a destroy");  // both ends go, even the one inside the dying jail (facts A1)
  host.Settle();
  EXPECT_EQ(Out(host, "ifconfig -l"), "lo0 em0\n");
}

TEST(SimJail, AJailWithoutPersistGoesAwayAtOnce) {
  SimFreeBsd host;
  EXPECT_EQ(Out(host, "jail -c name=j1 path=/"), "j1: created\n");
  EXPECT_EQ(ErrOf(host, "ifconfig -j j1 -a"), "ifconfig: jail \"j1\" not found\n");
}

TEST(SimJls, PrintsBothJsonShapes) {
  SimFreeBsd host;
  host.Run({"jail", "-c", "name=www", "path=/jails/www", "host.hostname=www", "persist", "ip4.addr=10.0.0.5",
            "meta=a b c"},
           "");
  EXPECT_EQ(Out(host, "jls --libxo json name meta"),
            "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"name\":\"www\",\"meta\":\"a b c\"}]}}\n");
  EXPECT_EQ(Out(host, "jls --libxo json jid ip4.addr dying"),
            "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":\"1\",\"ip4.addr\":[\"10.0.0.5\"],"
            "\"dying\":false}]}}\n");
  EXPECT_EQ(Out(host, "jls --libxo json -v"),
            "{\"__version\": \"2\", \"jail-information\": {\"jail\": [{\"jid\":1,\"hostname\":\"www\",\"path\":\"/jails/www\","
            "\"name\":\"www\",\"state\":\"ACTIVE\",\"cpusetid\":2,\"ipv4_addrs\":[\"10.0.0.5\"],\"ipv6_addrs\":[]}]}}\n");
  EXPECT_EQ(ErrOf(host, "jls -j nosuch"), "jls: jail \"nosuch\" not found\n");
}

TEST(SimJail, IfAddrEntriesAddTheAliasBeforeCreation) {
  SimFreeBsd host;
  Out(host, "jail -c name=legacy path=/ persist ip4.addr=em0|10.1.1.10/24");
  auto em0 = ParseIfconfig(Out(host, "ifconfig em0"));
  ASSERT_EQ(em0[0].inet.size(), 2u);
  EXPECT_EQ(em0[0].inet[1].ToString(), "10.1.1.10/24");
  // Without jail.conf, jail -r does not know the interface, so the alias stays (facts A4).
  Out(host, "jail -r legacy");
  EXPECT_EQ(ParseIfconfig(Out(host, "ifconfig em0"))[0].inet.size(), 2u);
}

TEST(SimPf, AnchorsAreReplacedWholesaleAndListedCanonically) {
  SimFreeBsd host;
  Out(host, "pfctl -s nat");
  EXPECT_TRUE(Sh(host, "pfctl -a berth/out -f -", "nat on em0 from 10.0.0.0/24 to any -> (em0)\nrdr on em0 proto tcp "
                                                   "from any to any port 80 -> 10.0.0.2 port 8080\n").ok());
  EXPECT_EQ(Out(host, "pfctl -a berth/out -s nat"),
            "nat on em0 inet from 10.0.0.0/24 to any -> (em0) round-robin\n"
            "rdr on em0 inet proto tcp from any to any port = 80 -> 10.0.0.2 port 8080\n");
  EXPECT_EQ(Out(host, "pfctl -a berth -s Anchors"), "  berth/out\n");
  Sh(host, "pfctl -a berth/out -f -", "nat on em0 from 10.0.1.0/24 to any -> (em0)\n");
  EXPECT_EQ(Out(host, "pfctl -a berth/out -s nat"), "nat on em0 inet from 10.0.1.0/24 to any -> (em0) round-robin\n");
  CommandResult bad = Sh(host, "pfctl -a berth/out -f -", "nat on em0 from nowhere\n");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(Out(host, "pfctl -a berth/out -s nat"), "nat on em0 inet from 10.0.1.0/24 to any -> (em0) round-robin\n");
  CommandResult flush = Sh(host, "pfctl -a berth/out -F nat");
  EXPECT_EQ(flush.err, "nat cleared\n");
  EXPECT_EQ(Out(host, "pfctl -a berth/out -s nat"), "");
  EXPECT_EQ(Out(host, "pfctl -s nat"), "nat-anchor \"berth/*\" all\nrdr-anchor \"berth/*\" all\n");
}

TEST(SimIpfwAndSysctl, RulesByNumberAndValues) {
  SimFreeBsd host;
  Out(host, "ipfw -q add 20001 allow ip from any to any layer2 out via bj1a");
  EXPECT_EQ(Out(host, "ipfw list"), "20001 allow ip from any to any layer2 out via bj1a\n65535 allow ip from any to any\n");
  Out(host, "ipfw -q delete 20001");
  EXPECT_EQ(ErrOf(host, "ipfw -q delete 20001"), "ipfw: rule 20001: setsockopt(IP_FW_XDEL): No such process\n");
  EXPECT_EQ(Out(host, "sysctl -n net.inet.ip.forwarding"), "0\n");
  EXPECT_EQ(Out(host, "sysctl net.inet.ip.forwarding=1"), "net.inet.ip.forwarding: 0 -> 1\n");
  EXPECT_EQ(ErrOf(host, "sysctl -n net.nosuch"), "sysctl: unknown oid 'net.nosuch'\n");
}

TEST(SimState, SurvivesAJsonRoundTrip) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  Out(host, "jail -c name=j1 path=/ persist vnet vnet.interface=epair0b");
  auto state = SimFreeBsd::FromJson(host.ToJson());
  ASSERT_TRUE(state.ok()) << state.error().message;
  SimFreeBsd copy(*state);
  EXPECT_EQ(Out(copy, "ifconfig -a"), Out(host, "ifconfig -a"));
  EXPECT_EQ(Out(copy, "ifconfig -j j1 -a"), Out(host, "ifconfig -j j1 -a"));
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
