// Parsing of Bridge and NAT documents.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::Header;
using testing::Load;
using testing::Summaries;
using Strings = std::vector<std::string>;

TEST(ParseBridge, ReadsAddressMtuAndPool) {
  auto r = Load(Header("Bridge", "fcbr0") + "spec:\n  address: 10.168.0.1/24\n  mtu: 9000\n  pool: 10.168.0.128/25\n");
  EXPECT_EQ(Summaries(r), Strings{});
  const Bridge& b = r.manifest.bridges.at(0);
  EXPECT_EQ(b.address.ToString(), "10.168.0.1/24");
  EXPECT_EQ(b.mtu, 9000);
  EXPECT_EQ(b.pool->ToString(), "10.168.0.128/25");
  EXPECT_EQ(r.manifest.FindBridge("fcbr0"), &b);
  EXPECT_EQ(r.manifest.FindBridge("nope"), nullptr);
}

TEST(ParseBridge, RejectsMalformedValues) {
  auto r = Load(Header("Bridge", "fcbr0") + "spec:\n  address: 10.168.0.1/31\n  mtu: 67\n  pool: 10.168.0/25\n");
  EXPECT_EQ(Summaries(r),
            (Strings{"invalid-prefix spec.address 6:12", "invalid-mtu spec.mtu 7:8", "invalid-cidr spec.pool 8:9"}));
}

TEST(ParseBridge, NameIsAKernelInterfaceName) {
  auto r = Load(BridgeDoc("bridge-for-sandboxes"));
  EXPECT_EQ(Summaries(r), Strings{"name-too-long metadata.name 4:9"});
  EXPECT_EQ(r.diagnostics[0].summary, "bridge name \"bridge-for-sandboxes\" is 20 characters; the kernel allows 15");
}

TEST(ParseNat, ReadsBridgeSourceEgressAndForwards) {
  auto r = Load(BridgeDoc("fcbr0") + "---\n" + Header("NAT", "out") +
                "spec:\n  source: {bridge: fcbr0}\n  egress: eth0\n  forwards:\n"
                "    - {protocol: udp, port: 53, to: 10.168.0.10:5353}\n    - port: 8080\n      to: 10.168.0.11:80\n");
  EXPECT_EQ(Summaries(r), Strings{});
  const Nat& nat = r.manifest.nats.at(0);
  EXPECT_EQ(std::get<std::string>(nat.source), "fcbr0");
  EXPECT_EQ(nat.egress, "eth0");
  ASSERT_EQ(nat.forwards.size(), 2u);
  EXPECT_EQ(nat.forwards[0].protocol, Protocol::kUdp);
  EXPECT_EQ(nat.forwards[0].port, 53);
  EXPECT_EQ(nat.forwards[0].to_address.ToString(), "10.168.0.10");
  EXPECT_EQ(nat.forwards[0].to_port, 5353);
  EXPECT_EQ(nat.forwards[1].protocol, Protocol::kTcp);  // the default
  EXPECT_EQ(nat.forwards[1].span.line, 17);
  EXPECT_EQ(nat.doc.SpanOf("spec.forwards[1].port").ToString(), "test.yaml:17:13");
}

TEST(ParseNat, ReadsACidrSource) {
  auto r = Load(Header("NAT", "out") + "spec:\n  source: 10.168.0.0/24\n");
  EXPECT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(std::get<Cidr4>(r.manifest.nats.at(0).source).ToString(), "10.168.0.0/24");
}

TEST(ParseNat, RejectsMalformedSourcesAndForwards) {
  auto r = Load(Header("NAT", "out") +
                "spec:\n  source: [10.168.0.0/24]\n  egress: \"eth 0\"\n  forwards:\n"
                "    - {protocol: tpc, port: 0, to: 10.168.0.10}\n    - {port: 80, to: 10.168.0.10:70000}\n");
  EXPECT_EQ(Summaries(r),
            (Strings{"wrong-type spec.source 6:3", "invalid-interface-name spec.egress 7:11",
                     "invalid-enum spec.forwards[0].protocol 9:18", "invalid-port spec.forwards[0].port 9:29",
                     "invalid-port spec.forwards[1].to 10:22"}));
  EXPECT_EQ(r.diagnostics[0].summary, "expected a CIDR or a mapping {bridge: NAME}, got a list");
  EXPECT_EQ(r.diagnostics[2].summary, "protocol \"tpc\" is not tcp, udp or sctp (did you mean \"tcp\"?)");
}

TEST(ParseNat, ForwardNeedsPortAndTarget) {
  auto r = Load(Header("NAT", "out") + "spec:\n  source: 10.168.0.0/24\n  forwards:\n    - protocol: tcp\n");
  EXPECT_EQ(Summaries(r),
            (Strings{"missing-field spec.forwards[0].port 8:7", "missing-field spec.forwards[0].to 8:7"}));
}

}  // namespace
}  // namespace berth::model
