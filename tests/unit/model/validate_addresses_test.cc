// Cross-resource rules about subnets, pools, workload addresses and MACs.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using namespace berth::model::testing;
using Strings = std::vector<std::string>;

std::string WithAddress(const std::string& name, const std::string& address) {
  return VmDoc(name, "br0", "    address: " + address + "\n");
}

TEST(ValidateAddresses, FixedAddressesMustFitTheBridge) {
  auto r = Load(Docs({BridgeDoc("br0"), WithAddress("a", "10.168.1.10/24"), WithAddress("b", "10.168.0.10/16"),
                      WithAddress("c", "10.168.0.1/24"), WithAddress("d", "10.168.0.0/24"),
                      WithAddress("e", "10.168.0.255/24"), WithAddress("f", "10.168.0.10/24")}));
  EXPECT_EQ(Codes(r), (Strings{"address-outside-subnet", "prefix-mismatch", "address-is-gateway", "reserved-address",
                               "reserved-address"}));
  EXPECT_EQ(r.diagnostics[0].summary, "10.168.1.10 is outside 10.168.0.0/24, the subnet of Bridge/br0");
  EXPECT_EQ(r.diagnostics[1].summary, "prefix /16 differs from the /24 of Bridge/br0; write 10.168.0.10/24");
}

TEST(ValidateAddresses, AddressesAndMacsAreTakenOnce) {
  auto r = Load(Docs({BridgeDoc("br0"), WithAddress("a", "10.168.0.10/24"), WithAddress("b", "10.168.0.10/24"),
                      VmDoc("c", "br0", "    mac: 06:00:00:00:00:01\n"),
                      Header("Jail", "j") + "spec:\n  path: /j\n  network:\n    interfaces:\n"
                                            "      - {name: vnet0, bridge: br0, mac: \"06:00:00:00:00:01\"}\n"}));
  EXPECT_EQ(CodesAndFields(r),
            (Strings{"duplicate-address spec.network.address", "duplicate-mac spec.network.interfaces[0].mac"}));
  EXPECT_EQ(r.diagnostics[0].summary, "10.168.0.10 is already the address of VM/a (test.yaml:15:14)");
}

TEST(ValidateAddresses, NonVnetJailAddressesAreTakenOnceToo) {
  auto jail = [](const std::string& name) {
    return Header("Jail", name) + "spec:\n  path: /j\n  network:\n    vnet: false\n    ip4: [\"em0|10.1.1.10/24\"]\n";
  };
  EXPECT_EQ(CodesAndFields(Load(Docs({jail("j1"), jail("j2")}))), Strings{"duplicate-address spec.network.ip4[0]"});
}

TEST(ValidateBridges, SubnetsMustNotOverlap) {
  auto r = Load(Docs(
      {BridgeDoc("br0", "10.168.0.1/24"), BridgeDoc("br1", "10.169.0.1/24"), BridgeDoc("br2", "10.168.0.129/25")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"subnet-overlap spec.address"});
  EXPECT_EQ(r.diagnostics[0].summary, "subnet 10.168.0.128/25 overlaps 10.168.0.0/24 of Bridge/br0 (test.yaml:6:12)");
}

TEST(ValidateBridges, GatewayMustBeAHostAddress) {
  auto r = Load(BridgeDoc("br0", "10.168.0.0/24"));
  EXPECT_EQ(CodesAndFields(r), Strings{"reserved-address spec.address"});
  EXPECT_EQ(
      r.diagnostics[0].summary,
      "10.168.0.0 is the network address of 10.168.0.0/24; the gateway needs a host address such as 10.168.0.1/24");
}

TEST(ValidateBridges, PoolMustBeAlignedAndInsideTheSubnet) {
  EXPECT_EQ(CodesAndFields(Load(BridgeDoc() + "  pool: 10.168.0.130/25\n")), Strings{"host-bits-set spec.pool"});
  EXPECT_EQ(CodesAndFields(Load(BridgeDoc() + "  pool: 10.168.1.0/25\n")), Strings{"pool-outside-subnet spec.pool"});
  EXPECT_EQ(CodesAndFields(Load(BridgeDoc() + "  pool: 10.168.0.0/23\n")), Strings{"pool-outside-subnet spec.pool"});
  EXPECT_EQ(CodesAndFields(Load(BridgeDoc() + "  pool: 10.168.0.128/25\n")), Strings{});
}

TEST(ValidatePools, CountsWorkloadsWithoutAFixedAddressAgainstFreeAddresses) {
  // 10.168.0.0/30 holds .0 (network), .1 (gateway), .2, .3 (broadcast): one free address.
  std::string bridge = BridgeDoc("br0", "10.168.0.1/30");
  EXPECT_EQ(Codes(Load(Docs({bridge, VmDoc("a")}))), Strings{});
  auto r = Load(Docs({bridge, VmDoc("a"), VmDoc("b")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"pool-exhausted spec.address"});
  EXPECT_EQ(r.diagnostics[0].summary,
            "pool 10.168.0.0/30 has 1 free addresses for 2 workloads without a fixed address");
  // A fixed address inside the pool takes one of its addresses.
  EXPECT_EQ(Codes(Load(Docs({bridge, VmDoc("a"), VmDoc("b", "br0", "    address: 10.168.0.2/30\n")}))),
            Strings{"pool-exhausted"});
}

TEST(ValidatePools, FixedAddressesOutsideThePoolLeaveItAlone) {
  // The pool .128/30 has four addresses, none reserved: .128-.131.
  std::string bridge = BridgeDoc("br0", "10.168.0.1/24") + "  pool: 10.168.0.128/30\n";
  std::vector<std::string> docs = {bridge, WithAddress("fixed", "10.168.0.10/24")};
  for (const char* name : {"a", "b", "c", "d"}) docs.push_back(VmDoc(name));
  EXPECT_EQ(Codes(Load(Docs(docs))), Strings{});
  docs.push_back(VmDoc("e"));
  EXPECT_EQ(CodesAndFields(Load(Docs(docs))), Strings{"pool-exhausted spec.pool"});
}

TEST(ValidateJails, DefaultRouterMustBeOnAnInterfacesBridge) {
  auto jail = [](const std::string& router) {
    return Header("Jail", "j") +
           "spec:\n  path: /j\n  network:\n    interfaces: [{name: vnet0, bridge: br0}]\n"
           "    defaultRouter: " +
           router + "\n";
  };
  EXPECT_EQ(Codes(Load(Docs({BridgeDoc(), jail("10.168.0.1")}))), Strings{});
  EXPECT_EQ(CodesAndFields(Load(Docs({BridgeDoc(), jail("10.1.0.1")}))),
            Strings{"router-unreachable spec.network.defaultRouter"});
}

TEST(ValidateAddresses, BrokenDocumentsHideFollowOnErrors) {
  // The VM's address is outside the subnet, but its document is already wrong: report that alone.
  auto r = Load(Docs({BridgeDoc(), VmDoc("a", "br0", "    address: 10.9.0.10/24\n    mode: ful\n")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"invalid-enum spec.network.mode"});
}

// A Linux bridge takes 1,023 ports: the 1,024th VM would fail at apply time with EXFULL, after the first
// 1,023 were made; validation says so first.
TEST(ValidateBridges, ALinuxBridgeTakesAtMost1023Vms) {
  auto docs = [](int n) {
    std::vector<std::string> d = {BridgeDoc("br0", "10.168.0.1/16")};
    for (int i = 0; i < n; ++i) d.push_back(VmDoc("vm" + std::to_string(i)));
    return Docs(d);
  };
  EXPECT_EQ(Codes(Load(docs(1023))), Strings{});
  auto r = Load(docs(1024));
  EXPECT_EQ(CodesAndFields(r), Strings{"too-many-ports metadata.name"});
  EXPECT_NE(r.diagnostics.at(0).summary.find("1024 VMs"), std::string::npos) << r.diagnostics[0].summary;
}

TEST(ValidateBridges, LoopbackNameAndRangeAreRefusedWithTheReason) {
  auto r = Load(Docs({BridgeDoc("lo", "10.168.0.1/24"), BridgeDoc("br1", "127.0.0.2/8")}));
  EXPECT_EQ(CodesAndFields(r), (Strings{"reserved-name metadata.name", "loopback-address spec.address"}));
  EXPECT_NE(r.diagnostics.at(1).summary.find("loopback"), std::string::npos);
}

TEST(ValidateNameservers, AtMostThreeBecauseTheResolverReadsThree) {
  EXPECT_EQ(Codes(Load(Docs({BridgeDoc(), VmDoc("a", "br0", "    dns: [1.1.1.1, 9.9.9.9, 8.8.8.8]\n")}))), Strings{});
  auto r = Load(Docs({BridgeDoc(), VmDoc("a", "br0", "    dns: [1.1.1.1, 9.9.9.9, 8.8.8.8, 8.8.4.4]\n")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"too-many-nameservers spec.network.dns"});
}

}  // namespace
}  // namespace berth::model
