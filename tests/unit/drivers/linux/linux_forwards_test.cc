// Port forward rules: every form the expansion emits, each accepted by the rule codec (so a saved plan with
// them loads), the hairpin exemption ahead of the policy, and the loopback guard beside route_localnet.
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/nft_concat.h"

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/nft_rule_spec.h"
#include "drivers/linux/platform/resource_spec.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using testing::MakeBridge;
using testing::MakeNat;
using linux_res::LinuxRecordError;

model::PortForward Forward(model::Protocol p, uint16_t port, uint16_t last, const char* to, uint16_t to_port) {
  model::PortForward f;
  f.protocol = p;
  f.port = port;
  f.port_last = last;
  f.to_address = *model::Ipv4::Parse(to);
  f.to_port = to_port;
  return f;
}

model::Manifest Manifest(std::vector<model::PortForward> forwards, std::optional<std::string> egress = std::nullopt) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("fcbr0", "10.168.0.1/24"));
  auto nat = MakeNat("nat0", "fcbr0");
  nat.egress = egress;
  nat.forwards = std::move(forwards);
  m.nats.push_back(nat);
  return m;
}

TEST(LinuxForwards, RangesSourcesListenAndSctp) {
  auto range = Forward(model::Protocol::kUdp, 8000, 8099, "10.168.0.10", 8000);
  range.from = {*model::Cidr4::Parse("192.0.2.0/24"), *model::Cidr4::Parse("198.51.100.7/32")};
  auto sctp = Forward(model::Protocol::kSctp, 3868, 0, "10.168.0.11", 3868);
  sctp.listen = model::Ipv4::Parse("192.0.2.10");
  auto d = linux_res::ExpandLinux(Manifest({range, sctp}), {});
  const Resource* nat = d.Find({"nft", "", "nat/nat0"});
  ASSERT_TRUE(nat);
  EXPECT_EQ(nat->AttrOr("prerouting"),
            "ip saddr 192.0.2.0/24 fib daddr type local udp dport 8000-8099 dnat ip to 10.168.0.10\n"
            "ip saddr 198.51.100.7 fib daddr type local udp dport 8000-8099 dnat ip to 10.168.0.10\n"
            "ip daddr 192.0.2.10 sctp dport 3868 dnat ip to 10.168.0.11:3868");
  EXPECT_EQ(nat->AttrOr("output"),
            "ip saddr 192.0.2.0/24 fib daddr type local ip daddr != 127.0.0.0/8 udp dport 8000-8099 dnat ip to 10.168.0.10\n"
            "ip saddr 198.51.100.7 fib daddr type local ip daddr != 127.0.0.0/8 udp dport 8000-8099 dnat ip to 10.168.0.10\n"
            "ip daddr 192.0.2.10 sctp dport 3868 dnat ip to 10.168.0.11:3868");
  EXPECT_EQ(LinuxRecordError(*nat), std::nullopt);
  const Resource* base = d.Find({"nft", "", linux_res::kForwardsGroup});
  ASSERT_TRUE(base);
  EXPECT_EQ(base->AttrOr("preroute"),  // the loopback guard is there with any forward (linux_forwards.cc)
            "iifname != \"lo\" ip saddr 127.0.0.0/8 counter drop\n"
            "iifname != \"lo\" ip daddr 127.0.0.0/8 ct state != established | related counter drop\n"
            "ip saddr 10.168.0.0/24 ct status dnat ip daddr 10.168.0.10 udp dport 8000-8099 accept\n"
            "ip saddr 10.168.0.0/24 ct status dnat ip daddr 10.168.0.11 sctp dport 3868 accept");
  EXPECT_EQ(LinuxRecordError(*base), std::nullopt);
  // Ahead of the policy's dispatch in every base chain: groups are ordered by name.
  EXPECT_LT(std::string(linux_res::kForwardsGroup), std::string(linux_res::kPolicyGroup));
  EXPECT_FALSE(d.Find({"sysctl", "", "net.ipv4.conf.fcbr0.route_localnet"}));
}

TEST(LinuxForwards, EgressNarrowsOutsideClientsAndKeepsTheHairpin) {
  auto f = Forward(model::Protocol::kTcp, 8080, 0, "10.168.0.10", 80);
  f.from = {*model::Cidr4::Parse("10.0.0.0/8"), *model::Cidr4::Parse("192.0.2.0/24")};
  auto d = linux_res::ExpandLinux(Manifest({f}, "eth0"), {});
  EXPECT_EQ(d.Find({"nft", "", "nat/nat0"})->AttrOr("prerouting"),
            "iifname \"eth0\" ip saddr 10.0.0.0/8 fib daddr type local tcp dport 8080 dnat ip to 10.168.0.10:80\n"
            "ip saddr 10.168.0.0/24 fib daddr type local tcp dport 8080 dnat ip to 10.168.0.10:80\n"
            "iifname \"eth0\" ip saddr 192.0.2.0/24 fib daddr type local tcp dport 8080 dnat ip to 10.168.0.10:80");
}

TEST(LinuxForwards, LocalhostSetsRouteLocalnetOnlyWithTheGuard) {
  auto f = Forward(model::Protocol::kTcp, 8080, 0, "10.168.0.10", 80);
  f.localhost = true;
  auto d = linux_res::ExpandLinux(Manifest({f}), {});
  const Resource* sysctl = d.Find({"sysctl", "", "net.ipv4.conf.fcbr0.route_localnet"});
  ASSERT_TRUE(sysctl);
  EXPECT_EQ(sysctl->AttrOr("value"), "1");
  EXPECT_EQ(LinuxRecordError(*sysctl), std::nullopt);
  const std::string guard = d.Find({"nft", "", linux_res::kForwardsGroup})->AttrOr("preroute");
  EXPECT_TRUE(guard.starts_with("iifname != \"lo\" ip saddr 127.0.0.0/8 counter drop\n"
                                "iifname != \"lo\" ip daddr 127.0.0.0/8 ct state != established | related counter drop\n"))
      << guard;
  const Resource* nat = d.Find({"nft", "", "nat/nat0"});
  EXPECT_NE(nat->AttrOr("output").find("ip daddr 127.0.0.1 dnat ip to meta l4proto . tcp dport map "
                                       "{ tcp . 8080 : 10.168.0.10 . 80 }"),
            std::string::npos);
  EXPECT_NE(nat->AttrOr("postrouting").find("ip saddr 127.0.0.0/8 ct status dnat ip daddr . meta l4proto . th dport "
                                            "{ 10.168.0.10 . tcp . 80 } masquerade"),
            std::string::npos);
  EXPECT_EQ(LinuxRecordError(*nat), std::nullopt);
}

TEST(LinuxForwards, TheSysctlAllowListTakesOnlyTheFormBerthEmits) {
  auto sysctl = [](const std::string& name, const std::string& value) {
    Resource r;
    r.key = ResourceKey{"sysctl", "", name};
    r.attrs["value"] = value;
    return LinuxRecordError(r);
  };
  EXPECT_EQ(sysctl("net.ipv4.conf.fcbr0.route_localnet", "1"), std::nullopt);
  EXPECT_EQ(sysctl("net.ipv4.conf.br.10.route_localnet", "1"), std::nullopt);  // a dotted interface name
  EXPECT_TRUE(sysctl("net.ipv4.conf.fcbr0.route_localnet", "0"));
  EXPECT_TRUE(sysctl("net.ipv4.conf.all.rp_filter", "1"));
  EXPECT_TRUE(sysctl("net.ipv4.conf..route_localnet", "1"));
  EXPECT_TRUE(sysctl("net.ipv4.conf.a-name-longer-than-15.route_localnet", "1"));
  EXPECT_TRUE(sysctl("net.ipv4.conf.x/../../y.route_localnet", "1"));
  EXPECT_EQ(linux_res::RouteLocalnetBridge("net.ipv4.conf.br.10.route_localnet"), "br.10");
}

TEST(LinuxForwards, TheCodecTakesTheNewFormsAndNothingNear) {
  for (const char* ok : {"sctp dport 3868 accept", "ip daddr 10.0.0.1 udp dport 8000-8099 dnat ip to 10.0.0.1",
                         "iifname != \"lo\" ip daddr 127.0.0.0/8 ct state != established | related counter drop"})
    EXPECT_EQ(linux_res::NftRuleError(ok), std::nullopt) << ok;
  for (const char* bad : {"dnat ip to 10.0.0.1:0", "dnat ip to 10.0.0.1:", "ct state != established drop",
                          "ct state != established | related | new drop", "dccp dport 80 accept",
                          "tcp dport 0 accept"})
    EXPECT_TRUE(linux_res::NftRuleError(bad)) << bad;
}

TEST(LinuxForwards, PlainForwardsShareTheirNatsRules) {
  // Three plain forwards (given out of order, one twice) and a ranged one: the plain ones are elements of
  // one dnat map and one target set per chain, in canonical order; the range keeps its own rules.
  auto a = Forward(model::Protocol::kUdp, 5353, 0, "10.168.0.11", 53);
  auto b = Forward(model::Protocol::kTcp, 8080, 0, "10.168.0.10", 80);
  auto c = Forward(model::Protocol::kTcp, 256, 0, "10.168.0.10", 80);  // the same target port as b
  auto range = Forward(model::Protocol::kTcp, 9000, 9009, "10.168.0.12", 9000);
  auto d = linux_res::ExpandLinux(Manifest({a, b, c, range}), {});
  const Resource* nat = d.Find({"nft", "", "nat/nat0"});
  ASSERT_TRUE(nat);
  EXPECT_EQ(nat->AttrOr("prerouting"),
            "fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map "
            "{ tcp . 256 : 10.168.0.10 . 80, tcp . 8080 : 10.168.0.10 . 80, udp . 5353 : 10.168.0.11 . 53 }\n"
            "fib daddr type local tcp dport 9000-9009 dnat ip to 10.168.0.12");
  EXPECT_EQ(nat->AttrOr("forward"),
            "ct status dnat ip daddr . meta l4proto . th dport { 10.168.0.10 . tcp . 80, 10.168.0.11 . udp . 53 } accept\n"
            "ip daddr 10.168.0.12 tcp dport 9000-9009 ct status dnat accept");
  EXPECT_EQ(LinuxRecordError(*nat), std::nullopt);
  EXPECT_EQ(LinuxRecordError(*d.Find({"nft", "", linux_res::kForwardsGroup})), std::nullopt);
}

TEST(LinuxForwards, TheCodecTakesSharedListsOnlyInCanonicalForm) {
  const std::string map = "fib daddr type local meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map ";
  const std::string set = "ct status dnat ip daddr . meta l4proto . th dport ";
  EXPECT_EQ(linux_res::NftRuleError(map + "{ tcp . 80 : 10.0.0.1 . 8080, udp . 53 : 10.0.0.2 . 53 }"), std::nullopt);
  EXPECT_EQ(linux_res::NftRuleError(set + "{ 10.0.0.1 . tcp . 80, 10.0.0.1 . sctp . 80 } accept"), std::nullopt);
  // nft lists the port of a map after a one-protocol match as that protocol's.
  EXPECT_EQ(linux_res::NftRuleError("dnat ip to meta l4proto . udp dport map { udp . 53 : 10.0.0.2 . 53 }"),
            std::nullopt);
  for (const std::string& bad : std::vector<std::string>{
           map + "{ udp . 53 : 10.0.0.2 . 53, tcp . 80 : 10.0.0.1 . 8080 }",      // out of order
           map + "{ tcp . 80 : 10.0.0.1 . 8080, tcp . 80 : 10.0.0.2 . 8080 }",    // one key twice
           map + "{ tcp . 80 : 10.0.0.1 . 0 }", map + "{ tcp . 080 : 10.0.0.1 . 80 }",
           map + "{ icmp . 80 : 10.0.0.1 . 80 }", map + "{ tcp . 80 : 10.0.0.01 . 80 }",
           map + "{ tcp . 80 : 10.0.0.1 . 80 } accept",                           // nothing after the dnat
           map + "{ tcp . 80 : 10.0.0.1 . 80; flush ruleset }", map + "{ }", map + "{  }",
           "meta l4proto { udp, tcp } dnat ip to 10.0.0.1:80", "meta l4proto { tcp } dnat ip to 10.0.0.1:80",
           "meta l4proto { tcp, tcp } dnat ip to 10.0.0.1:80",
           set + "{ 10.0.0.2 . tcp . 80, 10.0.0.1 . tcp . 80 } accept", set + "{ 10.0.0.1 . tcp } accept",
           set + "{ 10.0.0.1 . tcp . 80 . 1 } accept",
           "ip daddr . meta l4proto . tcp dport { 10.0.0.1 . tcp . 80 } accept",
           "dnat ip to meta l4proto . icmp dport map { tcp . 80 : 10.0.0.1 . 80 }", "ip saddr . meta l4proto . th dport { 10.0.0.1 . tcp . 80 } accept"})
    EXPECT_TRUE(linux_res::NftRuleError(bad)) << bad;
}

TEST(LinuxForwards, AListedRuleIsComparedInCanonicalOrder) {
  // nft lists anonymous elements in an order of its own (by the key's bytes: 256 before 255).
  EXPECT_EQ(linux_res::CanonicalRuleText("dnat ip to meta l4proto . th dport map { tcp . 256 : 10.0.0.1 . 80, "
                                         "udp . 80 : 10.0.0.1 . 80, tcp . 255 : 10.0.0.3 . 1 }"),
            "dnat ip to meta l4proto . th dport map { tcp . 255 : 10.0.0.3 . 1, tcp . 256 : 10.0.0.1 . 80, "
            "udp . 80 : 10.0.0.1 . 80 }");
  EXPECT_EQ(linux_res::CanonicalRuleText("ip daddr . meta l4proto . th dport { 9.1.1.1 . udp . 256, "
                                         "10.168.1.0 . tcp . 80, 9.1.1.1 . tcp . 257 } accept"),
            "ip daddr . meta l4proto . th dport { 9.1.1.1 . tcp . 257, 9.1.1.1 . udp . 256, "
            "10.168.1.0 . tcp . 80 } accept");
  const std::string other = "ether type != { ip, arp } drop";
  EXPECT_EQ(linux_res::CanonicalRuleText(other), other);
}

}  // namespace
}  // namespace berth::reconciler

namespace berth::reconciler {
namespace {

TEST(LinuxForwards, AListenAddressTheHostDoesNotHaveIsAPlanConflict) {
  auto f = Forward(model::Protocol::kTcp, 8080, 0, "10.168.0.10", 80);
  f.listen = model::Ipv4::Parse("192.0.2.10");
  auto on_gateway = Forward(model::Protocol::kTcp, 8081, 0, "10.168.0.10", 81);
  on_gateway.listen = model::Ipv4::Parse("10.168.0.1");  // the bridge's address, which berth gives the host
  const DesiredState desired = linux_res::ExpandLinux(Manifest({f, on_gateway}), {});
  auto platform = MakeLinuxPlatform();
  ObservedState observed;
  observed.facts.interfaces = {"eth0"};
  observed.facts.addresses = {"192.0.2.9"};
  std::vector<Conflict> conflicts;
  std::vector<Warning> warnings;
  platform->CheckHost(desired, observed, conflicts, warnings);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].message, "listen address 192.0.2.10 of a forward is not an address of this host");
  conflicts.clear();
  observed.facts.addresses = {"192.0.2.10"};
  platform->CheckHost(desired, observed, conflicts, warnings);
  EXPECT_TRUE(conflicts.empty());
}

}  // namespace
}  // namespace berth::reconciler

namespace berth::reconciler {
namespace {

TEST(LinuxForwards, ThePlanNamesTheForwardsAnUpdateOpens) {
  auto before = Forward(model::Protocol::kTcp, 8080, 0, "10.168.0.10", 80);
  auto added = Forward(model::Protocol::kUdp, 9000, 9009, "10.168.0.10", 9000);
  added.localhost = true;
  const DesiredState old_state = linux_res::ExpandLinux(Manifest({before}), {});
  const DesiredState new_state = linux_res::ExpandLinux(Manifest({before, added}), {});
  Change c;
  c.action = ChangeAction::kUpdate;
  c.before = *old_state.Find({"nft", "", "nat/nat0"});
  c.after = *new_state.Find({"nft", "", "nat/nat0"});
  ChangeSet changes;
  changes.changes.push_back(c);
  std::vector<Widening> widens;
  linux_res::AddForwardWidenings(changes, widens);
  ASSERT_EQ(widens.size(), 1u);
  EXPECT_EQ(widens[0].workload, "NAT/nat0");
  EXPECT_EQ(widens[0].items,
            (std::vector<std::string>{
                "forward +\"fib daddr type local udp dport 9000-9009 dnat ip to 10.168.0.10\"",
                "host-local +\"fib daddr type local ip daddr != 127.0.0.0/8 udp dport 9000-9009 dnat ip to 10.168.0.10\"",
                "localhost +\"ip daddr 127.0.0.1 udp dport 9000-9009 dnat ip to 10.168.0.10\""}));
  // Nothing new: nothing named.
  c.before = c.after;
  changes.changes = {c};
  widens.clear();
  linux_res::AddForwardWidenings(changes, widens);
  EXPECT_TRUE(widens.empty());
}

}  // namespace
}  // namespace berth::reconciler
