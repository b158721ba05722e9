// Packet rates on Linux: limit rules in the VM's rule group at its bridge port (egress at the end of port-NAME,
// ingress in chain in-NAME through map in_vm), in nft's listing form; a changed rate is an update of that group
// alone; the rule codec takes exactly what the expansion emits; `show` and the result file read them back.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "drivers/linux/platform/linux_launch_record.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_show.h"
#include "drivers/linux/platform/nft_rule_spec.h"
#include "drivers/linux/platform/resource_spec.h"
#include "tests/unit/drivers/linux/vm_bandwidth_fixture.h"

namespace berth::reconciler {
namespace {

namespace lr = linux_res;

DesiredState Expand(const std::string& bandwidth) { return testing::ExpandVmWithBandwidth(bandwidth); }

const Attrs& Group(const DesiredState& d) {
  static const Attrs kNone;
  const Resource* g = d.Find({lr::kNft, "", "vm/vm1"});
  EXPECT_TRUE(g);
  return g ? g->attrs : kNone;
}

std::string Attr(const Attrs& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? "" : it->second;
}

std::string LastLine(const std::string& text) { return text.substr(text.rfind('\n') + 1); }

TEST(LinuxPps, EgressEndsThePortChainIngressHasItsOwnChain) {
  auto d = Expand("{pps: {egress: 2000, ingress: 1000, burst: 20}}");
  const Attrs& g = Group(d);
  EXPECT_EQ(LastLine(Attr(g, "bridge:port-vm1")), "limit rate over 2000/second burst 20 packets counter drop");
  EXPECT_EQ(Attr(g, "bridge:in-vm1"), "limit rate over 1000/second burst 20 packets counter drop");
  EXPECT_NE(Attr(g, "elements").find("bridge in_vm \"bv-vm1\" : jump in-vm1"), std::string::npos) << Attr(g, "elements");
  EXPECT_FALSE(d.Find({lr::kQdisc, "berth-vm1", "tap0"})) << "no bit rate, no tbf";
  // The default burst: 10 ms at the rate, at least 8 packets; nft lists no burst of 5, its default.
  EXPECT_EQ(LastLine(Attr(Group(Expand("{pps: {egress: 100000}}")), "bridge:port-vm1")),
            "limit rate over 100000/second burst 1000 packets counter drop");
  EXPECT_EQ(LastLine(Attr(Group(Expand("{pps: {egress: 100}}")), "bridge:port-vm1")),
            "limit rate over 100/second burst 8 packets counter drop");
  EXPECT_EQ(LastLine(Attr(Group(Expand("{pps: {egress: 100, burst: 5}}")), "bridge:port-vm1")),
            "limit rate over 100/second counter drop");
  // One direction only: nothing in the other.
  const DesiredState in_only_state = Expand("{pps: {ingress: 10}}");
  const Attrs& in_only = Group(in_only_state);
  EXPECT_EQ(Attr(in_only, "bridge:port-vm1").find("limit"), std::string::npos);
  EXPECT_FALSE(Attr(in_only, "bridge:in-vm1").empty());
  const DesiredState none_state = Expand("{egress: 16mbit}");
  const Attrs& none = Group(none_state);
  EXPECT_EQ(none.count("bridge:in-vm1"), 0u);
  EXPECT_EQ(Attr(none, "elements").find("in_vm"), std::string::npos);
  EXPECT_TRUE(Expand("{egress: 16mbit, pps: {egress: 2000}}").Find({lr::kQdisc, "berth-vm1", "eth0"}));
}

TEST(LinuxPps, ARateChangeUpdatesTheVmsRuleGroupOnly) {
  auto before = Expand("{egress: 16mbit, pps: {egress: 2000, ingress: 1000}}");
  auto after = Expand("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
  const std::vector<std::string> acted = testing::ActedBetween(before, after);
  EXPECT_EQ(acted, std::vector<std::string>{"nft:/vm/vm1 update"});
}

TEST(LinuxPps, AKernelWithoutNftLimitIsAConflictOnlyForPacketRates) {
  auto platform = MakeLinuxPlatform();
  ObservedState host;
  host.facts.missing_features = {"nft_limit"};
  auto conflicts_for = [&](const std::string& bandwidth) {
    std::vector<Conflict> conflicts;
    std::vector<Warning> warnings;
    platform->CheckHost(Expand(bandwidth), host, conflicts, warnings);
    return conflicts;
  };
  for (const char* bw : {"{pps: {egress: 2000}}", "{pps: {ingress: 2000}}"}) {
    auto conflicts = conflicts_for(bw);
    ASSERT_EQ(conflicts.size(), 1u) << bw;
    EXPECT_EQ(conflicts[0].message, "the kernel lacks nft_limit, which the manifests need");
  }
  EXPECT_TRUE(conflicts_for("{egress: 16mbit}").empty());
  EXPECT_TRUE(conflicts_for("").empty());
}

TEST(LinuxPps, TheCodecTakesWhatTheExpansionEmitsAndNothingElse) {
  for (const char* bw : {"{pps: {egress: 1}}", "{pps: {egress: 1000000000, ingress: 1, burst: 1000000}}",
                         "{pps: {ingress: 33000000, burst: 1}}", "{egress: 8kbit, pps: {egress: 7, burst: 5}}"})
    for (const auto& r : Expand(bw).resources)
      EXPECT_EQ(lr::LinuxRecordError(*r), std::nullopt) << bw << " " << r->key.ToString();
  EXPECT_EQ(lr::NftRuleError("limit rate over 2000/second burst 20 packets counter drop"), std::nullopt);
  EXPECT_EQ(lr::NftRuleError("oifname vmap @in_vm"), std::nullopt);
  for (const char* rule : {"limit rate over 0/second counter drop", "limit rate over 02000/second counter drop",
                           "limit rate over 1000000001/second counter drop", "limit rate over 2000/minute counter drop",
                           "limit rate 2000/second counter drop", "limit rate over 2000/second burst 5 packets drop",
                           "limit rate over 2000/second burst 0 packets drop", "limit rate over 2000/second burst 20 bytes drop",
                           "limit rate over 2000/second burst 1000001 packets drop", "limit rate over 2000/second",
                           "limit rate over 2000 kbytes/second drop", "ip daddr vmap @in_vm", "oifname vmap @nat"})
    EXPECT_NE(lr::NftRuleError(rule), std::nullopt) << rule;
  EXPECT_NE(lr::NftElementError("bridge in_vm \"bv-vm1\""), std::nullopt) << "in_vm is a verdict map";
  EXPECT_NE(lr::NftElementError("inet in_vm 10.0.0.1 : jump in-vm1"), std::nullopt);
}

TEST(LinuxPps, ADropAtTheRateCountsAsRateNotSpoof) {
  EXPECT_EQ(lr::ClassifyDrop("bridge:port-d1", "limit rate over 2000/second counter drop").reason, "rate");
  EXPECT_EQ(lr::ClassifyDrop("bridge:in-d1", "limit rate over 2000/second counter drop").reason, "rate");
  EXPECT_EQ(lr::ClassifyDrop("bridge:in-d1", "limit rate over 2000/second counter drop").vm, "d1");
  EXPECT_EQ(lr::ClassifyDrop("bridge:port-d1", "ip saddr != 10.0.0.2 counter drop").reason, "spoof");
}

Resource Make(const char* kind, std::string scope, std::string name, Attrs attrs) {
  Resource r;
  r.key = ResourceKey{kind, std::move(scope), std::move(name)};
  r.attrs = std::move(attrs);
  r.ownership = Ownership::kOwned;
  return r;
}

ObservedState Observed() {
  ObservedState o;
  o.resources.push_back(Make(lr::kNetns, "", "berth-vm1", {}));
  o.resources.push_back(Make(lr::kLink, "berth-vm1", "tap0", {{lr::kType, "tap"}, {lr::kUp, "true"}}));
  o.resources.push_back(Make(lr::kQdisc, "berth-vm1", "eth0", {{lr::kRate, "16000000"}, {lr::kBurst, "32768"}}));
  o.resources.push_back(Make(lr::kNft, "", "vm/vm1",
                             {{"bridge:port-vm1", "ether type != { ip, arp } counter drop\n"
                                                  "limit rate over 2000/second burst 20 packets counter drop"},
                              {"bridge:in-vm1", "limit rate over 1000/second counter drop"}}));
  o.Sort();
  return o;
}

TEST(LinuxPps, ShowAndTheResultFileCarryEachDirectionsPacketRate) {
  auto vms = lr::DescribeVms(Observed(), {}, "/run/netns");
  ASSERT_EQ(vms.size(), 1u);
  ASSERT_TRUE(vms[0].egress && vms[0].ingress);
  EXPECT_EQ(vms[0].egress->rate_bits, 16'000'000u);
  EXPECT_EQ(vms[0].egress->pps, 2000u);
  EXPECT_EQ(vms[0].ingress->rate_bits, 0u);
  EXPECT_EQ(vms[0].ingress->pps, 1000u);
  EXPECT_EQ(lr::DescribeRateLimit(*vms[0].egress), "16Mbit burst 32768b, 2000pps burst 20 packets");
  EXPECT_EQ(lr::DescribeRateLimit(*vms[0].ingress), "1000pps burst 5 packets");
  auto records = lr::LinuxLaunchRecords(Observed(), {}, "/run/netns");
  ASSERT_EQ(records.size(), 1u);
  auto j = nlohmann::json::parse(records[0].json);
  EXPECT_EQ(j["bandwidth"]["egress"], (nlohmann::json{{"rate_bits", 16000000}, {"burst_bytes", 32768}, {"pps", 2000}, {"pkt_burst", 20}}));
  EXPECT_EQ(j["bandwidth"]["ingress"], (nlohmann::json{{"pps", 1000}, {"pkt_burst", 5}}));
}

}  // namespace
}  // namespace berth::reconciler
