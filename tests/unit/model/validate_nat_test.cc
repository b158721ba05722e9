// Cross-resource rules about NAT sources and port forwards.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using namespace berth::model::testing;
using Strings = std::vector<std::string>;

std::string Nat(const std::string& name, const std::string& spec) { return Header("NAT", name) + "spec:\n" + spec; }

TEST(ValidateNat, ForwardTargetsMustBeInsideTheSource) {
  auto r = Load(Docs({BridgeDoc(),
                      Nat("out",
                          "  source: {bridge: br0}\n  forwards:\n"
                          "    - {port: 80, to: 10.168.0.10:80}\n    - {port: 81, to: 10.9.0.10:80}\n"),
                      Nat("cidr", "  source: 10.20.0.0/16\n  forwards: [{port: 82, to: 10.20.3.4:22}]\n")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"forward-target-outside-source spec.forwards[1].to"});
}

TEST(ValidateNat, CidrSourcesMustHaveNoHostBits) {
  auto r = Load(Nat("out", "  source: 10.168.0.1/24\n"));
  EXPECT_EQ(CodesAndFields(r), Strings{"host-bits-set spec.source"});
  EXPECT_EQ(r.diagnostics[0].summary, "source 10.168.0.1/24 has host bits set; did you mean 10.168.0.0/24?");
}

TEST(ValidateNat, EgressIsNotTheSourceBridge) {
  EXPECT_EQ(CodesAndFields(Load(Docs({BridgeDoc(), Nat("out", "  source: {bridge: br0}\n  egress: br0\n")}))),
            Strings{"egress-is-source spec.egress"});
  EXPECT_EQ(Codes(Load(Docs({BridgeDoc(), Nat("out", "  source: {bridge: br0}\n  egress: eth0\n")}))), Strings{});
}

TEST(ValidateNat, APortIsForwardedOncePerEgress) {
  std::string a = Nat("a", "  source: 10.1.0.0/16\n  egress: eth0\n  forwards: [{port: 80, to: 10.1.0.2:80}]\n");
  std::string b = Nat("b", "  source: 10.2.0.0/16\n  egress: eth1\n  forwards: [{port: 80, to: 10.2.0.2:80}]\n");
  std::string any = Nat("c", "  source: 10.3.0.0/16\n  forwards: [{port: 80, to: 10.3.0.2:80}]\n");
  std::string udp = Nat("d", "  source: 10.4.0.0/16\n  forwards: [{protocol: udp, port: 80, to: 10.4.0.2:80}]\n");
  EXPECT_EQ(Codes(Load(Docs({a, b, udp}))), Strings{});
  auto r = Load(Docs({a, b, any}));
  EXPECT_EQ(CodesAndFields(r), Strings{"duplicate-forward spec.forwards[0].port"});
  EXPECT_TRUE(r.diagnostics[0].summary.starts_with("tcp port 80 is already forwarded by NAT/a (test.yaml:"));
}

TEST(ValidateNat, ASourceOfEverythingIsRefused) {
  auto r = Load(Nat("out", "  source: 0.0.0.0/0\n"));
  EXPECT_EQ(CodesAndFields(r), Strings{"source-is-everything spec.source"});
  EXPECT_NE(r.diagnostics.at(0).summary.find("never match"), std::string::npos);
}

}  // namespace
}  // namespace berth::model
