// Network policies: parsing, inheritance with the secure defaults, the reach line and what widens it.
#include <gtest/gtest.h>

#include "model/policy.h"
#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::Header;
using testing::Load;
using testing::Summaries;
using Strings = std::vector<std::string>;

std::string Docs(const std::string& bridge_policy, const std::string& vm_network_extra) {
  return Header("Bridge", "sbx0") + "spec:\n  address: 10.80.0.1/24\n" + bridge_policy + "---\n" +
         Header("VM", "d1") + "spec:\n  network:\n    bridge: sbx0\n    dns: [10.80.0.1]\n" + vm_network_extra;
}

EffectivePolicy Resolve(const LoadResult& r) {
  const Vm& vm = r.manifest.vms.at(0);
  const Bridge& bridge = r.manifest.bridges.at(0);
  return ResolvePolicy(vm.network.policy ? &*vm.network.policy : nullptr, bridge.policy ? &*bridge.policy : nullptr,
                       bridge.address, vm.network.dns, false);
}

TEST(Policy, SecureDefaults) {
  auto r = Load(Docs("", ""));
  ASSERT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(DescribeReach(Resolve(r)), "host icmp udp/53 tcp/53; peers deny; egress allow, deny link-local; inbound replies");
}

TEST(Policy, NoDnsToGatewayWithoutGatewayNameserver) {
  auto r = Load(Header("Bridge", "sbx0") + "spec:\n  address: 10.80.0.1/24\n---\n" + Header("VM", "d1") +
                "spec:\n  network:\n    bridge: sbx0\n    dns: [1.1.1.1]\n");
  ASSERT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(DescribeReach(Resolve(r)), "host icmp; peers deny; egress allow, deny link-local; inbound replies");
}

TEST(Policy, VmFieldsReplaceBridgeFieldsAsAWhole) {
  auto r = Load(Docs("  policy:\n    peers: allow\n    egress: {default: deny, allow: [{to: 10.0.0.0/8}]}\n",
                     "    policy:\n      host: [{protocol: tcp, port: \"8000-8099\"}]\n"
                     "      egress: {allow: [{to: 10.20.0.5/32, protocol: tcp, port: 443}]}\n"));
  ASSERT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(DescribeReach(Resolve(r)),
            "host icmp udp/53 tcp/53 tcp/8000-8099; peers allow; egress deny, deny link-local, allow 10.20.0.5/32 "
            "tcp/443; inbound replies");
}

TEST(Policy, NamingLinkLocalDropsTheImplicitDeny) {
  auto r = Load(Docs("", "    policy:\n      egress: {allow: [{to: link-local, protocol: tcp, port: 80}]}\n"));
  ASSERT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(DescribeReach(Resolve(r)), "host icmp udp/53 tcp/53; peers deny; egress allow, allow link-local tcp/80; inbound replies");
}

TEST(Policy, EntryErrorsCarryTheirPositions) {
  auto r = Load(Docs("  policy:\n    host:\n      - {protocol: udp}\n      - {protocol: tcp, port: \"9-1\"}\n"
                     "      - {port: 22}\n    peers: maybe\n"
                     "    egress:\n      allow: [{to: 10.0.0.0/8}, {to: 10.0.0.1/8}, {to: privat}]\n"
                     "      deny: [{to: 10.2.0.0/16, protocol: tcp, port: 22}, {to: 0.0.0.0/0}]\n",
                     ""));
  EXPECT_EQ(Summaries(r), (Strings{"invalid-port-range spec.policy.host[1].port 10:31",
                                   "missing-field spec.policy.host[2].protocol 11:9",
                                   "invalid-enum spec.policy.peers 12:12",
                                   "host-bits-set spec.policy.egress.allow[1].to 14:38",
                                   "invalid-cidr spec.policy.egress.allow[2].to 14:56",
                                   "deny-never-matches spec.policy.egress.deny[0] 15:14"}));
}

TEST(Policy, PolicyOnAVmWithoutInterfaceIsAWarning) {
  auto r = Load(Header("VM", "d1") + "spec:\n  network:\n    mode: loopback\n    policy: {peers: allow}\n");
  ASSERT_EQ(Summaries(r), Strings{"policy-without-interface spec.network.policy 8:5"});
  EXPECT_EQ(r.diagnostics[0].severity, Severity::kWarning);
}

TEST(Policy, WideningsListWhatIsNew) {
  auto before = Load(Docs("", ""));
  auto after = Load(Docs("", "    policy:\n      host: [{protocol: tcp, port: 2222}]\n      peers: allow\n"
                             "      egress: {deny: [{to: link-local, protocol: tcp}]}\n"));
  ASSERT_EQ(Summaries(after), Strings{});
  EXPECT_EQ(Widenings(Resolve(before), Resolve(after)),
            (Strings{"host +tcp/2222", "peers +allow", "egress -deny link-local"}));
  EXPECT_EQ(Widenings(Resolve(after), Resolve(before)), Strings{});
  EXPECT_EQ(Widenings(Resolve(before), Resolve(before)), Strings{});
}

TEST(Policy, EgressInsideHonoursProtocolPortAndSets) {
  EgressRule all{NamedSet::kPrivate, PolicyProtocol::kAny, {}, {}};
  EgressRule ten_tcp{*Cidr4::Parse("10.1.0.0/16"), PolicyProtocol::kTcp, PortRange{443, 443}, {}};
  EXPECT_TRUE(ten_tcp.Inside(all));
  EXPECT_FALSE(all.Inside(ten_tcp));
  EgressRule ten_any{*Cidr4::Parse("10.1.0.0/16"), PolicyProtocol::kAny, {}, {}};
  EXPECT_FALSE(ten_any.Inside(EgressRule{*Cidr4::Parse("10.0.0.0/8"), PolicyProtocol::kTcp, {}, {}}));
}

}  // namespace
}  // namespace berth::model
