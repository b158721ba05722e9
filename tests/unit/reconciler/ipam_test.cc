// Allocation: fixed first, persisted kept, lowest free next; MACs derived and stable.
#include "reconciler/ipam.h"

#include <gtest/gtest.h>

#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using testing::MakeBridge;
using testing::MakeVm;

TEST(Ipam, LowestFreeAddressInNameOrderSkippingGatewayAndFixed) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.0.0.1/24"));
  m.vms.push_back(MakeVm("b", "br0"));
  m.vms.push_back(MakeVm("a", "br0"));
  m.vms.push_back(MakeVm("c", "br0", model::NetworkMode::kOutbound, "10.0.0.3/24"));
  auto r = Allocate(m, {});
  ASSERT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.allocations.by_interface.at("VM/a").address.ToString(), "10.0.0.2/24");
  EXPECT_EQ(r.allocations.by_interface.at("VM/b").address.ToString(), "10.0.0.4/24");
  EXPECT_EQ(r.allocations.by_interface.at("VM/c").address.ToString(), "10.0.0.3/24");
}

TEST(Ipam, PersistedAssignmentsSurviveNewcomers) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.0.0.1/24"));
  m.vms.push_back(MakeVm("m", "br0"));
  auto first = Allocate(m, {}).allocations;
  m.vms.push_back(MakeVm("a", "br0"));  // sorts before "m": without persistence it would take .2
  auto second = Allocate(m, first).allocations;
  EXPECT_EQ(second.by_interface.at("VM/m"), first.by_interface.at("VM/m"));
  EXPECT_EQ(second.by_interface.at("VM/a").address.ToString(), "10.0.0.3/24");
}

TEST(Ipam, PoolExhaustionIsADiagnostic) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.0.0.1/30"));  // one usable address besides the gateway
  m.vms.push_back(MakeVm("a", "br0"));
  m.vms.push_back(MakeVm("b", "br0"));
  auto r = Allocate(m, {});
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "pool-exhausted");
}

TEST(Ipam, DerivedMacsAreStableLocalUnicast) {
  auto mac = DeriveMac("VM/vm1");
  EXPECT_EQ(mac, DeriveMac("VM/vm1"));
  EXPECT_NE(mac, DeriveMac("VM/vm2"));
  EXPECT_FALSE(mac.IsMulticast());
  EXPECT_EQ(mac.bytes[0] & 0x02, 0x02);
}

TEST(Ipam, LoopbackAndDisabledVmsGetNothing) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.0.0.1/24"));
  m.vms.push_back(MakeVm("a", "", model::NetworkMode::kLoopback));
  EXPECT_TRUE(Allocate(m, {}).allocations.by_interface.empty());
}

TEST(Ipam, ADisabledVmNamingItsBridgeKeepsItsAssignmentAndReservesIt) {
  model::Manifest m;
  m.bridges.push_back(MakeBridge("br0", "10.0.0.1/24"));
  m.vms.push_back(MakeVm("a", "br0"));
  const auto first = Allocate(m, {}).allocations;
  m.vms[0].network.mode = model::NetworkMode::kDisabled;
  m.vms.push_back(MakeVm("b", "br0"));  // a newcomer must not take a's address while a is disabled
  const auto disabled = Allocate(m, first).allocations;
  EXPECT_EQ(disabled.by_interface.at("VM/a"), first.by_interface.at("VM/a"));
  EXPECT_NE(disabled.by_interface.at("VM/b").address, first.by_interface.at("VM/a").address);
  m.vms[0].network.mode = model::NetworkMode::kOutbound;
  EXPECT_EQ(Allocate(m, disabled).allocations.by_interface.at("VM/a"), first.by_interface.at("VM/a"));
}

}  // namespace
}  // namespace berth::reconciler
