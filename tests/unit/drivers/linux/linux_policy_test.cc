// The Linux policy rules: what a VM's group holds, that reading the rules back gives the manifests' reach, and
// which plan changes widen a VM's reach.
#include "drivers/linux/platform/linux_policy.h"

#include <gtest/gtest.h>

#include "model/load.h"
#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_policy_reach.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::reconciler {
namespace {

const char* kBridge =
    "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: sbx0}\nspec:\n  address: 10.80.0.1/24\n"
    "  policy: {egress: {deny: [{to: private}]}}\n";

std::string Vm(const std::string& name, const std::string& extra) {
  return "---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: " + name +
         "}\nspec:\n  network:\n    bridge: sbx0\n    dns: [10.80.0.1]\n" + extra;
}

struct Expanded {
  model::Manifest manifest;
  DesiredState desired;
};

Expanded Expand(const std::string& yaml) {
  auto loaded = model::LoadManifestText(yaml, "test.yaml", {});
  EXPECT_TRUE(loaded.diagnostics.empty()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString());
  Expanded e{loaded.manifest, {}};
  e.desired = linux_res::ExpandLinux(e.manifest, Allocate(e.manifest, {}).allocations);
  return e;
}

const std::string kWorker =
    "    mode: full\n    policy:\n      host: [{protocol: tcp, port: \"8000-8099\"}, {protocol: icmp}, {protocol: udp}]\n"
    "      peers: allow\n      egress:\n        default: deny\n"
    "        allow: [{to: 10.20.0.5/32, protocol: tcp, port: 443}, {to: multicast, protocol: udp}]\n"
    "        deny: [{to: link-local}, {to: 203.0.113.0/24, protocol: icmp}]\n";

TEST(LinuxPolicy, ReachReadBackFromTheRulesEqualsTheManifests) {
  auto e = Expand(kBridge + Vm("d1", "") + Vm("w1", kWorker));
  for (const auto& vm : e.manifest.vms) {
    const Resource* group = e.desired.Find({"nft", "", "vm/" + vm.doc.metadata.name});
    ASSERT_TRUE(group) << vm.doc.metadata.name;
    auto read = linux_res::ReachFromGroup(*group);
    ASSERT_TRUE(read) << vm.doc.metadata.name;
    EXPECT_EQ(model::DescribeReach(*read),
              model::DescribeReach(linux_res::EffectivePolicyOf(vm, e.manifest.bridges[0])));
  }
  EXPECT_EQ(model::DescribeReach(*linux_res::ReachFromGroup(*e.desired.Find({"nft", "", "vm/d1"}))),
            "host icmp udp/53 tcp/53; peers deny; egress allow, deny link-local private; inbound replies");
}

TEST(LinuxPolicy, GroupHoldsChainsAndElementsKeyedByAddressAndPort) {
  auto e = Expand(kBridge + Vm("d1", ""));
  const Resource* group = e.desired.Find({"nft", "", "vm/d1"});
  ASSERT_TRUE(group);
  EXPECT_EQ(group->AttrOr("elements"),
            "bridge l2_vm \"bv-d1\" : jump l2-d1\nbridge port_vm \"bv-d1\" : jump port-d1\nbridge ports \"bv-d1\"\n"
            "inet host_vm 10.80.0.2 : jump host-d1\ninet out_vm 10.80.0.2 : jump out-d1\ninet vms 10.80.0.2");
  EXPECT_EQ(group->AttrOr("bridge:l2-d1"), "oifname @ports counter drop");
  EXPECT_NE(group->AttrOr("bridge:port-d1").find("arp saddr ip != 10.80.0.2 counter drop"), std::string::npos);
  EXPECT_TRUE(e.desired.Find({"nft", "", "base/policy"}));
}

TEST(LinuxPolicy, DropsAreClassifiedByChain) {
  EXPECT_EQ(linux_res::ClassifyDrop("bridge:port-d1", "ether saddr != 06:00:00:00:00:01 counter drop").reason, "spoof");
  EXPECT_EQ(linux_res::ClassifyDrop("inet:out-d1", "ip daddr @vms counter drop").reason, "peers");
  EXPECT_EQ(linux_res::ClassifyDrop("inet:out-d1", "ip daddr 10.0.0.0/8 counter drop").reason, "egress");
  EXPECT_EQ(linux_res::ClassifyDrop("inet:host-d1", "counter drop").vm, "d1");
  EXPECT_EQ(linux_res::ClassifyDrop("forward", "ip daddr 10.0.0.1 drop").reason, "");
}

TEST(LinuxPolicy, PlanListsExistingVmsWhoseReachWidens) {
  auto before = Expand(kBridge + Vm("d1", "") + Vm("d2", ""));
  auto after = Expand(kBridge + Vm("d1", "    policy: {host: [{protocol: tcp, port: 2222}]}\n") +
                      Vm("d2", "    policy: {egress: {deny: [{to: private}, {to: 192.0.2.0/24}]}}\n"));
  ChangeSet changes;
  for (const char* vm : {"vm/d1", "vm/d2"}) {
    Change c;
    c.action = ChangeAction::kUpdate;
    c.before = Shared<Resource>(*before.desired.Find({"nft", "", vm}));
    c.after = Shared<Resource>(*after.desired.Find({"nft", "", vm}));
    changes.changes.push_back(c);
  }
  auto widens = linux_res::ReachWidenings(changes);
  ASSERT_EQ(widens.size(), 1u);  // d2 narrows
  EXPECT_EQ(widens[0].workload, "VM/d1");
  EXPECT_EQ(widens[0].items, std::vector<std::string>{"host +tcp/2222"});
}

}  // namespace
}  // namespace berth::reconciler
