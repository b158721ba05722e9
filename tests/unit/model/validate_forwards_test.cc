// Port forwards: ranges, sources, listen addresses, localhost and sctp; overlaps between forwards; hostile input.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using namespace berth::model::testing;
using Strings = std::vector<std::string>;

std::string Nat(const std::string& name, const std::string& spec) { return Header("NAT", name) + "spec:\n" + spec; }
std::string Fwd(const std::string& forwards) {
  return Docs({BridgeDoc(), Nat("out", "  source: {bridge: br0}\n  forwards:\n" + forwards)});
}

TEST(ParseForwards, ReadsRangesSourcesListenLocalhostAndSctp) {
  auto r = Load(Fwd("    - {protocol: sctp, port: \"8000-8099\", to: 10.168.0.10, from: [192.0.2.0/24, 198.51.100.7/32]}\n"
                    "    - {port: 8100, to: \"10.168.0.10\", listen: 192.0.2.10, localhost: true, from: 203.0.113.0/24}\n"
                    "    - {protocol: udp, port: \"9000-9001\", to: \"10.168.0.10:9000-9001\"}\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  const auto& f = r.manifest.nats.at(0).forwards;
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].protocol, Protocol::kSctp);
  EXPECT_EQ(f[0].port, 8000);
  EXPECT_EQ(f[0].last(), 8099);
  EXPECT_EQ(f[0].to_port, 8000);
  ASSERT_EQ(f[0].from.size(), 2u);
  EXPECT_EQ(f[0].from[1].ToString(), "198.51.100.7/32");
  EXPECT_EQ(f[1].to_port, 8100);  // ADDRESS alone: the same port
  EXPECT_FALSE(f[1].is_range());
  EXPECT_EQ(f[1].listen->ToString(), "192.0.2.10");
  EXPECT_TRUE(f[1].localhost);
  EXPECT_EQ(f[1].from.at(0).ToString(), "203.0.113.0/24");
  EXPECT_EQ(f[2].last(), 9001);
}

TEST(ParseForwards, RejectsMalformedPortsRangesAndTargets) {
  auto r = Load(Fwd("    - {port: 0, to: 10.168.0.10:80}\n"
                    "    - {port: 65536, to: 10.168.0.10:80}\n"
                    "    - {port: \"9000-8000\", to: 10.168.0.10}\n"
                    "    - {port: \"8000-8099\", to: 10.168.0.10:80}\n"
                    "    - {port: \"8000-8099\", to: \"10.168.0.10:8000-8098\"}\n"
                    "    - {port: 8000, to: \"10.168.0.10:8000-8001\"}\n"
                    "    - {port: 8001, to: \"10.168.0.10:0\"}\n"
                    "    - {port: 8002, to: \"10.168.0.10:080\"}\n"
                    "    - {port: 8003, to: \"host:80\"}\n"
                    "    - {protocol: icmp, port: 8004, to: 10.168.0.10}\n"
                    "    - {port: 8005, to: 10.168.0.10, from: []}\n"
                    "    - {port: 8006, to: 10.168.0.10, from: [10.0.0.0/33]}\n"
                    "    - {port: 8007, to: 10.168.0.10, listen: 10.0.0.256}\n"
                    "    - {port: 8008, to: 10.168.0.10, localhost: yes please}\n"));
  EXPECT_EQ(Codes(r), (Strings{"invalid-port", "invalid-port", "invalid-port-range", "forward-range-mismatch",
                               "forward-range-mismatch", "forward-range-mismatch", "invalid-port", "invalid-port",
                               "invalid-address", "invalid-enum", "empty-from", "invalid-cidr", "invalid-address",
                               "wrong-type"}));
}

TEST(ParseForwards, BoundsTheSourcesOfAForward) {
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? ", " : "") + std::string("10.0.") + std::to_string(i) + ".0/24";
  auto r = Load(Fwd("    - {port: 8005, to: 10.168.0.10, from: [" + many + "]}\n"));
  EXPECT_EQ(CodesAndFields(r), Strings{"too-many-sources spec.forwards[0].from"});
  EXPECT_TRUE(r.manifest.nats.empty() || r.manifest.nats[0].forwards.empty() || r.manifest.nats[0].forwards[0].from.empty());
}

TEST(ValidateForwards, SourcesListenAndLocalhost) {
  auto r = Load(Fwd("    - {port: 80, to: 10.168.0.10, from: [192.0.2.1/24]}\n"
                    "    - {port: 81, to: 10.168.0.10, listen: 127.0.0.1}\n"
                    "    - {port: 82, to: 10.168.0.10, listen: 0.0.0.0}\n"
                    "    - {port: 83, to: 10.168.0.10, listen: 224.0.0.1}\n"));
  EXPECT_EQ(CodesAndFields(r), (Strings{"host-bits-set spec.forwards[0].from", "listen-loopback spec.forwards[1].listen",
                                        "invalid-listen spec.forwards[2].listen",
                                        "invalid-listen spec.forwards[3].listen"}));
  auto cidr = Load(Nat("c", "  source: 10.20.0.0/16\n  forwards: [{port: 82, to: 10.20.3.4:22, localhost: true}]\n"));
  EXPECT_EQ(CodesAndFields(cidr), Strings{"localhost-needs-bridge spec.forwards[0].localhost"});
}

TEST(ValidateForwards, OverlapsNeedProtocolPortsSourcesAndPlaceAllToMeet) {
  // Apart: other protocol, disjoint ports, disjoint sources, different listen addresses.
  EXPECT_EQ(Codes(Load(Fwd("    - {port: \"8000-8099\", to: 10.168.0.10}\n"
                           "    - {protocol: udp, port: 8050, to: 10.168.0.10}\n"
                           "    - {port: 8100, to: 10.168.0.10}\n"
                           "    - {port: 9000, to: 10.168.0.10, from: [192.0.2.0/25]}\n"
                           "    - {port: 9000, to: 10.168.0.11, from: [192.0.2.128/25]}\n"
                           "    - {port: 9100, to: 10.168.0.10, listen: 192.0.2.1}\n"
                           "    - {port: 9100, to: 10.168.0.11, listen: 192.0.2.2}\n"))),
            Strings{});
  auto r = Load(Fwd("    - {port: \"8000-8099\", to: 10.168.0.10}\n"
                    "    - {port: \"8099-8100\", to: 10.168.0.11}\n"             // ranges touch at 8099
                    "    - {port: 9000, to: 10.168.0.10, from: [192.0.2.0/24]}\n"
                    "    - {port: 9000, to: 10.168.0.11, from: [192.0.2.7/32]}\n"  // inside the first's
                    "    - {port: 9100, to: 10.168.0.10, listen: 192.0.2.1}\n"
                    "    - {port: 9100, to: 10.168.0.11}\n"                        // any address includes it
                    "    - {port: 9200, to: 10.168.0.10, from: 0.0.0.0/0}\n"
                    "    - {port: 9200, to: 10.168.0.11, from: [192.0.2.0/24]}\n"));
  EXPECT_EQ(CodesAndFields(r), (Strings{"duplicate-forward spec.forwards[1].port", "duplicate-forward spec.forwards[3].port",
                                        "duplicate-forward spec.forwards[5].port",
                                        "duplicate-forward spec.forwards[7].port"}));
  EXPECT_NE(r.diagnostics[0].summary.find("test.yaml:"), std::string::npos) << r.diagnostics[0].summary;
}

}  // namespace
}  // namespace berth::model
