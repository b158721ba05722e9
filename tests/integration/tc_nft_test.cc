// Driver-level tests of tc redirects, addresses, the nftables table, sysctls and DNS files, checked with
// `tc -j`, `ip -j`, `nft -j` and the file system.
#include <gtest/gtest.h>

#include <map>

#include <fstream>
#include <sstream>

#include "drivers/linux/nft.h"
#include "drivers/linux/platform/linux_resources.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

namespace lr = reconciler::linux_res;
using reconciler::Op;

class TcNftTest : public SandboxTest {};

/// "to_dev" of the mirred redirect on DEV's ingress in NS, or "" when there is none.
std::string RedirectTarget(const std::string& ns, const std::string& dev) {
  auto j = ShJson("tc -j -n " + ns + " filter show dev " + dev + " ingress");
  if (!j.is_array()) return "";
  for (const auto& f : j) {
    if (f.value("kind", "") != "u32" || !f.contains("options") || !f["options"].contains("actions")) continue;
    for (const auto& a : f["options"]["actions"]) {
      if (a.value("kind", "") == "mirred" && a.value("mirred_action", "") == "redirect") return a.value("to_dev", "");
    }
  }
  return "";
}

TEST_F(TcNftTest, RedirectsBothWaysLikeTcRedirectTap) {
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  ApplyAll(*driver_, VmResources("vm1", "fcbr0", "06:00:0a:a8:00:02"));
  EXPECT_EQ(RedirectTarget("berth-vm1", "eth0"), "tap0");
  EXPECT_EQ(RedirectTarget("berth-vm1", "tap0"), "eth0");
  auto qd = ShJson("tc -j -n berth-vm1 qdisc show dev eth0 ingress");
  ASSERT_TRUE(qd.is_array() && !qd.empty());
  EXPECT_EQ(qd[0]["kind"], "ingress");
  auto f = Sh("tc -n berth-vm1 filter show dev eth0 ingress").out;
  EXPECT_NE(f.find("match 00000000/00000000 at 0"), std::string::npos) << f;
  EXPECT_NE(f.find("stolen"), std::string::npos) << f;

  // Update re-points the redirect; delete removes qdisc and filter.
  auto tc = Res(lr::kTc, "berth-vm1", "eth0", {{lr::kRedirectTo, "lo"}});
  EXPECT_FALSE(ApplyOne(*driver_, tc, Op::kUpdate, {lr::kRedirectTo}));
  EXPECT_EQ(RedirectTarget("berth-vm1", "eth0"), "lo");
  EXPECT_FALSE(ApplyOne(*driver_, tc, Op::kDelete));
  EXPECT_EQ(RedirectTarget("berth-vm1", "eth0"), "");
  EXPECT_EQ(Sh("tc -n berth-vm1 qdisc show dev eth0 ingress").out, "");
}

TEST_F(TcNftTest, AddressCreateAndDelete) {
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/24"));
  auto addr = Res(lr::kAddr, "", "fcbr0/10.169.0.1/16", {{lr::kDev, "fcbr0"}, {lr::kAddress, "10.169.0.1/16"}});
  EXPECT_FALSE(ApplyOne(*driver_, addr, Op::kCreate));
  EXPECT_NE(Sh("ip -4 addr show dev fcbr0").out.find("10.169.0.1/16"), std::string::npos);
  auto err = ApplyOne(*driver_, addr, Op::kCreate);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, reconciler::DriverError::Kind::kExists);
  EXPECT_FALSE(ApplyOne(*driver_, addr, Op::kDelete));
  EXPECT_EQ(Sh("ip -4 addr show dev fcbr0").out.find("10.169.0.1"), std::string::npos);
  EXPECT_FALSE(ApplyOne(*driver_, addr, Op::kDelete)) << "deleting what is gone leaves the host as wanted";
}

nlohmann::json BerthRules() {
  auto j = ShJson("nft -j list table inet berth");
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& item : j["nftables"]) {
    if (item.contains("rule")) rules.push_back(item["rule"]);
  }
  return rules;
}

TEST_F(TcNftTest, NftTableMasqueradeAndIdempotentGroups) {
  auto table = Res(lr::kNftTable, "", "berth", {});
  auto nat = Res(lr::kNft, "", "nat/out",
                 {{lr::kChainPostrouting, "ip saddr 10.168.0.0/24 oifname != \"fcbr0\" masquerade"},
                  {lr::kEgress, "eth9"}},
                 "NAT/out");
  ApplyAll(*driver_, {table});
  ApplyAll(*driver_, {nat});
  ApplyAll(*driver_, {nat});  // the same group again: still one rule
  auto rules = BerthRules();
  ASSERT_EQ(rules.size(), 1u) << rules.dump();
  EXPECT_EQ(rules[0]["chain"], "postrouting");
  EXPECT_EQ(rules[0]["comment"], "berth:nat/out");
  EXPECT_NE(rules[0]["expr"].dump().find("masquerade"), std::string::npos);
  auto listing = ShJson("nft -j list table inet berth");
  int base = 0;
  for (const auto& item : listing["nftables"]) {
    if (item.contains("chain") && item["chain"].contains("hook")) ++base;
  }
  EXPECT_EQ(base, 6);  // prerouting, preroute, input, forward, postrouting, output (bridge berth has two more)

  // Two groups in one batch, then one deleted: the other stays.
  auto vm = Res(lr::kNft, "", "vm/a",
                {{lr::kChainForward, "ip daddr 10.168.0.2 ct state established,related accept\n"
                                     "ip daddr 10.168.0.2 iifname != \"fcbr0\" drop"}});
  ApplyAll(*driver_, {vm});
  EXPECT_EQ(BerthRules().size(), 3u);
  ApplyAll(*driver_, {nat}, Op::kDelete);
  rules = BerthRules();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0]["comment"], "berth:vm/a");
  // Deleting the table takes everything; a second delete is a no-op.
  ApplyAll(*driver_, {table}, Op::kDelete);
  EXPECT_NE(Sh("nft list table inet berth").status, 0);
  ApplyAll(*driver_, {table}, Op::kDelete);
}

TEST_F(TcNftTest, NewVmGroupsAreAddedWithoutRewritingTheTableAndRecreateAMissingOne) {
  auto table = Res(lr::kNftTable, "", "berth", {});
  auto nat = Res(lr::kNft, "", "nat/out", {{lr::kChainForward, "ip daddr 10.168.0.2 tcp dport 80 ct status dnat accept"}});
  auto vm = [](const std::string& name, const std::string& addr) {
    return Res(lr::kNft, "", "vm/" + name,
               {{lr::kChainForward, "ip daddr " + addr + " ct state established,related accept\n"
                                    "ip daddr " + addr + " iifname != \"fcbr0\" drop"}});
  };
  ApplyAll(*driver_, {table});
  ApplyAll(*driver_, {nat, vm("a", "10.168.0.2")});
  auto handles = [] {
    std::map<std::string, int> out;  // comment -> handle of its first rule
    for (const auto& r : BerthRules()) out.emplace(r["comment"], r["handle"].get<int>());
    return out;
  };
  auto before = handles();
  ApplyAll(*driver_, {vm("b", "10.168.0.3"), vm("c", "10.168.0.4")});
  auto after = handles();
  EXPECT_EQ(BerthRules().size(), 7u);
  // The existing rules were left in place (same handles), the port forward still comes first.
  EXPECT_EQ(after["berth:nat/out"], before["berth:nat/out"]);
  EXPECT_EQ(after["berth:vm/a"], before["berth:vm/a"]);
  EXPECT_GT(after["berth:vm/b"], after["berth:vm/a"]);
  EXPECT_EQ(BerthRules()[0]["comment"], "berth:nat/out");
  // The table vanished behind the plan's back: the whole-table write makes it again.
  ASSERT_EQ(Sh("nft delete table inet berth").status, 0);
  ApplyAll(*driver_, {vm("d", "10.168.0.5")});
  auto rules = BerthRules();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0]["comment"], "berth:vm/d");
}

TEST_F(TcNftTest, NftChainDriftIsObservedAndRepaired) {
  auto table = Res(lr::kNftTable, "", "berth", {{lr::kChains, drivers::lnx::ExpectedNftChains()}});
  ApplyAll(*driver_, {table});
  auto obs = ObserveOk(*driver_, false);
  ASSERT_TRUE(obs.Find(table.key));
  EXPECT_EQ(obs.Find(table.key)->AttrOr(lr::kChains), drivers::lnx::ExpectedNftChains());
  ASSERT_EQ(Sh("nft 'chain inet berth forward { policy drop; }' && nft delete chain inet berth prerouting").status, 0);
  obs = ObserveOk(*driver_, false);
  EXPECT_EQ(obs.Find(table.key)->AttrOr(lr::kChains),
            "bridge:forward: type filter hook forward priority filter; policy accept;\n"
            "bridge:output: type filter hook output priority filter; policy accept;\n"
            "bridge:prerouting: type filter hook prerouting priority filter; policy accept;\n"
            "forward: type filter hook forward priority filter; policy drop;\n"
            "input: type filter hook input priority filter; policy accept;\n"
            "output: type nat hook output priority -100; policy accept;\n"
            "postrouting: type nat hook postrouting priority srcnat; policy accept;\n"
            "preroute: type filter hook prerouting priority filter; policy accept;");
  EXPECT_FALSE(ApplyOne(*driver_, table, Op::kUpdate, {lr::kChains}));
  obs = ObserveOk(*driver_, false);
  EXPECT_EQ(obs.Find(table.key)->AttrOr(lr::kChains), drivers::lnx::ExpectedNftChains());
}

TEST_F(TcNftTest, NftLeavesForeignTablesAlone) {
  ASSERT_EQ(Sh("nft add table inet berth2 && nft add table ip filter && "
               "nft 'add chain ip filter FORWARD { type filter hook forward priority 0; policy drop; }'")
                .status,
            0);
  ApplyAll(*driver_, {Res(lr::kNftTable, "", "berth", {})});
  EXPECT_EQ(Sh("nft list table inet berth2").status, 0);
  auto obs = ObserveOk(*driver_);
  ASSERT_EQ(obs.facts.foreign_drop_chains.size(), 1u);
  EXPECT_EQ(obs.facts.foreign_drop_chains[0], "table ip filter chain FORWARD (policy drop)");
  EXPECT_FALSE(obs.Find({lr::kNftTable, "", "berth2"}));
}

TEST_F(TcNftTest, SysctlAndResolvConf) {
  ApplyAll(*driver_, {Res(lr::kSysctl, "", "net.ipv4.ip_forward", {{lr::kValue, "1"}})});
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/ip_forward").out, "1\n");
  // Deleting a setting never turns it off.
  ApplyAll(*driver_, {Res(lr::kSysctl, "", "net.ipv4.ip_forward", {{lr::kValue, "1"}})}, Op::kDelete);
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/ip_forward").out, "1\n");

  auto file = Res(lr::kFile, "", "/etc/netns/berth-vm1/resolv.conf", {{lr::kContent, "nameserver 10.0.0.53\n"}});
  ApplyAll(*driver_, {file});
  EXPECT_EQ(Sh("cat /etc/netns/berth-vm1/resolv.conf").out, "nameserver 10.0.0.53\n");
  file.attrs[lr::kContent] = "nameserver 1.1.1.1\n";
  EXPECT_FALSE(ApplyOne(*driver_, file, Op::kUpdate, {lr::kContent}));
  EXPECT_EQ(Sh("cat /etc/netns/berth-vm1/resolv.conf").out, "nameserver 1.1.1.1\n");
  EXPECT_EQ(Sh("ls -A /etc/netns/berth-vm1").out, "resolv.conf\n") << "no temporary files left";
  // ip netns exec bind-mounts it over /etc/resolv.conf inside the namespace.
  ApplyAll(*driver_, {Res(lr::kNetns, "", "berth-vm1", {})});
  EXPECT_EQ(Sh("ip netns exec berth-vm1 cat /etc/resolv.conf").out, "nameserver 1.1.1.1\n");
  ApplyAll(*driver_, {file}, Op::kDelete);
  EXPECT_NE(Sh("test -e /etc/netns/berth-vm1").status, 0) << "the empty directory goes too";
  auto err = ApplyOne(*driver_, Res(lr::kFile, "", "/etc/passwd", {{lr::kContent, "x"}}), Op::kCreate);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, reconciler::DriverError::Kind::kInvalid);
}

}  // namespace
}  // namespace berth::itest
