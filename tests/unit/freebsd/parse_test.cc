// The FreeBSD parsers against the sample outputs of the facts file (platform-facts.md A1-A3) and the shapes the
// tools are documented to print.
#include <gtest/gtest.h>

#include "drivers/freebsd/parse.h"
#include "drivers/freebsd/platform/freebsd_rules.h"

namespace berth::drivers::freebsd {
namespace {

// facts A1, "Sample show output" (iocage's renamed host end), with the tab indentation ifconfig prints.
constexpr const char* kIocageHostEnd =
    "vnet0.29: flags=8943<UP,BROADCAST,RUNNING,PROMISC,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
    "\tdescription: associated with jail: vnetcage as nic: epair0b\n"
    "\toptions=8<VLAN_MTU>\n"
    "\tether f4:4d:30:13:1e:5c\n"
    "\thwaddr 02:82:25:a0:cf:0a\n"
    "\tgroups: epair\n";

TEST(ParseIfconfig, ReadsTheFactsSample) {
  auto ifs = ParseIfconfig(kIocageHostEnd);
  ASSERT_EQ(ifs.size(), 1u);
  const IfInfo& i = ifs[0];
  EXPECT_EQ(i.name, "vnet0.29");
  EXPECT_TRUE(i.up);
  EXPECT_EQ(i.mtu, 1500);
  EXPECT_EQ(i.description, "associated with jail: vnetcage as nic: epair0b");
  EXPECT_EQ(i.ether, "f4:4d:30:13:1e:5c");
  EXPECT_EQ(i.hwaddr, "02:82:25:a0:cf:0a");
  EXPECT_TRUE(i.Is("epair"));  // the cloner group stays after the rename (facts A1)
}

TEST(ParseIfconfig, ReadsTheSampleIndentedWithSpacesToo) {
  std::string spaced = kIocageHostEnd;
  for (size_t at; (at = spaced.find('\t')) != std::string::npos;) spaced.replace(at, 1, "        ");
  auto ifs = ParseIfconfig(spaced);
  ASSERT_EQ(ifs.size(), 1u);
  EXPECT_EQ(ifs[0].description, "associated with jail: vnetcage as nic: epair0b");
}

TEST(ParseIfconfig, ReadsBridgesMembersAddressesAndColonNames) {
  auto ifs = ParseIfconfig(
      "bridge0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
      "\tdescription: berth owner=Bridge/bridge0\n"
      "\tether 58:9c:fc:10:ff:c2\n"
      "\tinet 10.23.42.1 netmask 0xffffff00 broadcast 10.23.42.255\n"
      "\tinet 10.23.43.1/24 broadcast 10.23.43.255\n"
      "\tid 00:00:00:00:00:00 priority 32768 hellotime 2 fwddelay 15\n"
      "\tmember: vnet0.29 flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n"
      "\t        ifmaxaddr 0 port 5 priority 128 path cost 2000\n"
      "\tmember: epair4a flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n"
      "\tgroups: bridge\n"
      "vnet0:3: flags=8802<BROADCAST,SIMPLEX,MULTICAST> metric 0 mtu 9000\n"
      "\tgroups: epair\n");
  ASSERT_EQ(ifs.size(), 2u);
  EXPECT_EQ(ifs[0].members, (std::vector<std::string>{"vnet0.29", "epair4a"}));
  ASSERT_EQ(ifs[0].inet.size(), 2u);
  EXPECT_EQ(ifs[0].inet[0].ToString(), "10.23.42.1/24");
  EXPECT_EQ(ifs[0].inet[1].ToString(), "10.23.43.1/24");
  EXPECT_TRUE(ifs[0].Is("bridge"));
  EXPECT_EQ(ifs[1].name, "vnet0:3");  // libioc's names carry colons (facts A3)
  EXPECT_FALSE(ifs[1].up);
  EXPECT_EQ(ifs[1].mtu, 9000);
}

TEST(ParseJls, ReadsParametersWhereEveryScalarIsAString) {
  // facts A2: explicit parameters give strings ("jid":"3"), true/false, ip4.addr as an array.
  auto jails = ParseJls(
      R"({"__version": "2", "jail-information": {"jail": [{"jid":"3","name":"www","path":"/jails/www","vnet":"inherit",)"
      R"("dying":false,"host.hostname":"www","ip4":"new","ip4.addr":["10.0.0.5"],"meta":"berth owner=Jail/www"},)"
      R"({"jid":"4","name":"old","path":"/jails/old","vnet":"new","dying":true,"host.hostname":"","ip4.addr":[]}]}})");
  ASSERT_TRUE(jails.ok()) << jails.error().message;
  ASSERT_EQ(jails->size(), 2u);
  EXPECT_EQ((*jails)[0].jid, 3);
  EXPECT_EQ((*jails)[0].vnet, "inherit");
  EXPECT_EQ((*jails)[0].ip4_addrs, std::vector<std::string>{"10.0.0.5"});
  EXPECT_EQ((*jails)[0].meta, "berth owner=Jail/www");
  EXPECT_FALSE((*jails)[0].dying);
  EXPECT_TRUE((*jails)[1].dying);
  EXPECT_EQ((*jails)[1].vnet, "new");
}

TEST(ParseJls, ReadsTheAtfTestsEnvelope) {
  // facts A2: FreeBSD's own atf test expects exactly this text.
  auto jails = ParseJls(R"({"__version": "2", "jail-information": {"jail": [{"name":"jail1","meta":"a b c"}]}})");
  ASSERT_TRUE(jails.ok());
  ASSERT_EQ(jails->size(), 1u);
  EXPECT_EQ((*jails)[0].name, "jail1");
  EXPECT_EQ((*jails)[0].meta, "a b c");
}

TEST(ParseJls, ReadsTheVerboseShapeWhereJidIsANumber) {
  // facts A2: with -v, jid is a number, the name may be the jid, the state is ACTIVE or DYING.
  auto jails = ParseJls(
      R"({"__version": "2", "jail-information": {"jail": [{"jid":83,"hostname":"","path":"/jails/x","name":"83",)"
      R"("state":"DYING","cpusetid":4,"ipv4_addrs":["10.0.0.6"],"ipv6_addrs":[]}]}})");
  ASSERT_TRUE(jails.ok());
  ASSERT_EQ(jails->size(), 1u);
  EXPECT_EQ((*jails)[0].jid, 83);
  EXPECT_EQ((*jails)[0].name, "83");
  EXPECT_TRUE((*jails)[0].dying);
  EXPECT_EQ((*jails)[0].ip4_addrs, std::vector<std::string>{"10.0.0.6"});
}

TEST(ParseJls, MapsNumericVnetAndRejectsGarbage) {
  auto jails = ParseJls(R"({"__version": "2", "jail-information": {"jail": [{"jid":"1","name":"a","vnet":"1"}]}})");
  ASSERT_TRUE(jails.ok());
  EXPECT_EQ((*jails)[0].vnet, "new");
  EXPECT_TRUE(ParseJls(R"({"__version": "2", "jail-information": {}})")->empty());
  EXPECT_FALSE(ParseJls("jls: unknown parameter: meta").ok());
}

TEST(ParsePf, NormalisesTheCanonicalListing) {
  // facts A3: pfctl -s nat prints rules with inet and round-robin added.
  auto rules = ParsePfRules("nat on em0 inet from 10.192.0.0/10 to any -> (em0) round-robin\n"
                            "rdr on em0 inet proto tcp from any to any port = 8080 -> 10.23.42.10 port 80\n"
                            "No ALTQ support in kernel\n");
  EXPECT_EQ(rules, (std::vector<std::string>{"nat on em0 inet from 10.192.0.0/10 to any -> (em0)",
                                             "rdr on em0 inet proto tcp from any to any port = 8080 -> 10.23.42.10 port 80"}));
  // What berth loads and what pf prints compare equal.
  EXPECT_EQ(reconciler::freebsd_res::NormalizePfRule("rdr  on em0 inet proto tcp from any to any port 8080 -> 10.23.42.10 port 80"),
            rules[1]);
}

TEST(ParsePf, FindsTheHooksAndTheAnchors) {
  PfHooks hooks = ParsePfHooks("nat-anchor \"berth/*\" all\nnat on em0 from 10.0.0.0/8 to any -> (em0) round-robin\n");
  EXPECT_TRUE(hooks.nat);
  EXPECT_FALSE(hooks.rdr);
  EXPECT_FALSE(ParsePfHooks("nat-anchor \"pot-nat\" all\n").nat);
  // facts A3: -s Anchors lists children, e.g. pot-rdr/vnetpot1.
  EXPECT_EQ(ParsePfAnchors("  berth/out\n  berth/lab\n"), (std::vector<std::string>{"berth/out", "berth/lab"}));
}

TEST(ParseIpfw, ReadsNumbersBodiesAndComments) {
  auto rules = ParseIpfwList(
      "00100 allow ip from any to any via lo0\n"
      "20042 allow ip from 10.23.42.2 to any layer2 MAC any 02:AA:bb:cc:dd:ee out via bu1b // berth owner=Jail/j1\n"
      "20042 allow ip from any to any layer2 mac-type 0x0806 out via bj1a\n"
      "65535 deny ip from any to any\n");
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[1].number, 20042);
  EXPECT_EQ(rules[1].body, "allow ip from 10.23.42.2 to any layer2 MAC any 02:aa:bb:cc:dd:ee out via bu1b");
  EXPECT_EQ(rules[1].comment, "berth owner=Jail/j1");
  EXPECT_EQ(rules[2].body, "allow ip from any to any layer2 mac-type arp out via bj1a");
}

TEST(ParseIpfw, SetsLogamountAndTheRulesAroundBerths) {
  auto rules = ParseIpfwList(
      "00100 set 0 allow ip from any to any via lo0\n"
      "00200 set 0 allow ip from any to any\n"
      "00300 set 0 allow ip from any to any not layer2\n"
      "20042 set 29 deny log logamount 5 ip from any to any layer2 out via bj1a // berth owner=Jail/j1\n"
      "20202 set 0 deny ip from any to any\n"
      "65535 set 31 deny ip from any to any\n");
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[3].set, 29);
  EXPECT_EQ(rules[3].body, "deny log ip from any to any layer2 out via bj1a");  // logamount is never berth's
  EXPECT_EQ(rules[4].set, 0);
  EXPECT_EQ(ParseIpfwList("20042 allow ip from any to any\n")[0].set, -1);
  // 00200 sees layer-2 frames before berth's range; 00100 (lo0) and 00300 (not layer2) do not; the default
  // denies and nothing after berth's range allows layer2.
  EXPECT_EQ(IpfwFacts(rules),
            (std::vector<std::string>{"ipfw-bypass 200 allow ip from any to any", "ipfw-default-deny"}));
  rules.insert(rules.end() - 1, IpfwRule{65000, 0, "allow ip from any to any layer2", ""});
  rules.erase(rules.begin() + 1);
  EXPECT_TRUE(IpfwFacts(rules).empty());
}

TEST(ParsePf, StatusLine) {
  EXPECT_TRUE(ParsePfEnabled("Status: Enabled for 0 days 00:01:02           Debug: Urgent\n"));
  EXPECT_FALSE(ParsePfEnabled("Status: Disabled for 0 days 00:01:02         Debug: Urgent\n"));
  EXPECT_FALSE(ParsePfEnabled(""));
}

TEST(ParseRealpath, ALinkOutOfTheJailsTreeIsUnsafe) {
  auto ok = ParseRealpath("/usr/jails/web\n/usr/jails/web/etc\n/usr/jails/web/etc/resolv.conf\n", "/etc/resolv.conf");
  EXPECT_TRUE(ok.safe && ok.exists);
  auto missing = ParseRealpath("/usr/jails/web\n/usr/jails/web/etc\n", "/etc/resolv.conf");
  EXPECT_TRUE(missing.safe);
  EXPECT_FALSE(missing.exists);
  auto link = ParseRealpath("/usr/jails/web\n/usr/jails/web/etc\n/etc/master.passwd\n", "/etc/resolv.conf");
  EXPECT_FALSE(link.safe);
  EXPECT_EQ(link.resolved, "/etc/master.passwd");
  auto dir = ParseRealpath("/usr/jails/web\n/etc\n/etc/resolv.conf\n", "/etc/resolv.conf");
  EXPECT_FALSE(dir.safe);
  EXPECT_EQ(dir.resolved, "/etc");
}

TEST(ParseRoute, ReadsGatewayAndInterface) {
  auto route = ParseRouteGet("   route to: default\ndestination: default\n       mask: default\n    gateway: 10.23.42.1\n"
                             "        fib: 0\n  interface: vnet0\n      flags: <UP,GATEWAY,DONE,STATIC>\n");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->gateway, "10.23.42.1");
  EXPECT_EQ(route->interface, "vnet0");
  EXPECT_FALSE(ParseRouteGet(""));
}

}  // namespace
}  // namespace berth::drivers::freebsd
