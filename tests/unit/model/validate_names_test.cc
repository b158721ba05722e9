// Cross-resource rules about names and references.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using namespace berth::model::testing;
using Strings = std::vector<std::string>;

TEST(ValidateNames, NamesAreUniquePerKind) {
  auto r = Load(Docs({BridgeDoc("br0"), VmDoc("br0"), VmDoc("br0")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"duplicate-name metadata.name"});
  EXPECT_EQ(r.diagnostics[0].summary, "VM \"br0\" is defined twice (first as VM/br0 (test.yaml:11:9))");
  EXPECT_EQ(r.diagnostics[0].span.line, 19);
}

TEST(ValidateNames, DocumentsWithErrorsStillCountByName) {
  // The bridge is broken, but the VM's reference to it resolves: one mistake, one diagnostic.
  auto r = Load(Docs({BridgeDoc("br0") + "  mtu: 1\n", VmDoc("vm1"), BridgeDoc("br0", "10.9.0.1/24")}));
  EXPECT_EQ(CodesAndFields(r), (Strings{"invalid-mtu spec.mtu", "duplicate-name metadata.name"}));
}

TEST(ValidateNames, JailInterfaceNamesAreUniqueWithinAJail) {
  auto r =
      Load(Docs({BridgeDoc("br0"), Header("Jail", "j1") +
                                       "spec:\n  path: /jails/j1\n  network:\n    interfaces:\n"
                                       "      - {name: vnet0, bridge: br0}\n      - {name: vnet0, bridge: br0}\n"}));
  EXPECT_EQ(CodesAndFields(r), Strings{"duplicate-name spec.network.interfaces[1].name"});
}

TEST(ValidateNames, ABridgeMayNotTakeAVmsHostVethName) {
  auto r = Load(Docs({BridgeDoc("br0"), BridgeDoc("bv-vm1", "10.9.0.1/24"), VmDoc("vm1")}));
  EXPECT_EQ(CodesAndFields(r), Strings{"interface-name-clash metadata.name"});
  // A loopback VM has no host veth, so nothing clashes.
  auto quiet = Load(Docs({BridgeDoc("bv-vm1"), Header("VM", "vm1") + "spec:\n  network: {mode: loopback}\n"}));
  EXPECT_EQ(CodesAndFields(quiet), Strings{});
}

TEST(ValidateReferences, BridgesMustExist) {
  auto r = Load(
      Docs({BridgeDoc("fcbr0"), VmDoc("vm1", "fcbr1"), Header("NAT", "out") + "spec:\n  source: {bridge: nobridge}\n",
            Header("Jail", "j1") + "spec:\n  path: /jails/j1\n  network:\n    interfaces:\n"
                                   "      - {name: vnet0, bridge: fcbr0}\n      - {name: vnet1, bridge: br2}\n"}));
  EXPECT_EQ(CodesAndFields(r), (Strings{"unknown-bridge spec.network.bridge", "unknown-bridge spec.source.bridge",
                                        "unknown-bridge spec.network.interfaces[1].bridge"}));
  EXPECT_EQ(r.diagnostics[0].summary, "no Bridge named \"fcbr1\" (did you mean \"fcbr0\"?)");
}

}  // namespace
}  // namespace berth::model
