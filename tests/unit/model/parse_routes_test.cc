// spec.network.routes: what one entry may say, where its next hop may be, and hostile input (wrong types,
// oversized lists, values that are not addresses), each refused with its field and nothing of it kept.
#include "model/parse_routes.h"

#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::CodesAndFields;
using testing::Docs;
using testing::Load;
using testing::VmDoc;
using Strings = std::vector<std::string>;

LoadResult LoadVm(const std::string& network_lines) { return Load(Docs({BridgeDoc(), VmDoc("vm1", "br0", network_lines)})); }

TEST(ParseRoutes, ValidRoutesAreKeptInOrder) {
  auto r = LoadVm("    address: 10.168.0.10/24\n    routes:\n      - {to: 10.20.0.0/16, via: 10.168.0.254}\n"
                  "      - {to: 192.0.2.7/32, via: 10.168.0.1}\n");
  EXPECT_EQ(CodesAndFields(r), Strings{});
  const auto& routes = r.manifest.vms.at(0).network.routes;
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].to.ToString(), "10.20.0.0/16");
  EXPECT_EQ(routes[0].via.ToString(), "10.168.0.254");
  EXPECT_EQ(routes[1].to.ToString(), "192.0.2.7/32");
}

TEST(ParseRoutes, EachEntryOnItsOwn) {
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.1/16, via: 10.168.0.254}]\n")),
            Strings{"host-bits-set spec.network.routes[0].to"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 0.0.0.0/0, via: 10.168.0.254}]\n")),
            Strings{"default-route-conflict spec.network.routes[0].to"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 127.0.0.0/8, via: 10.168.0.254}]\n")),
            Strings{"invalid-route spec.network.routes[0].to"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.0/16, via: 224.0.0.1}]\n")),
            Strings{"invalid-route-via spec.network.routes[0].via"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.0/16}]\n")),
            Strings{"missing-field spec.network.routes[0].via"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.0/16, via: 10.168.0.254, dev: eth1}]\n")),
            Strings{"unknown-field spec.network.routes[0].dev"});
}

TEST(ParseRoutes, NextHopOnTheWorkloadsSubnet) {
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.0/16, via: 10.169.0.254}]\n")),
            Strings{"route-via-off-link spec.network.routes[0].via"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.0/16, via: 10.168.0.255}]\n")),
            Strings{"reserved-address spec.network.routes[0].via"});
  EXPECT_EQ(CodesAndFields(LoadVm("    address: 10.168.0.10/24\n    routes: [{to: 10.20.0.0/16, via: 10.168.0.10}]\n")),
            Strings{"route-via-self spec.network.routes[0].via"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.168.0.0/24, via: 10.168.0.254}]\n")),
            Strings{"route-overlaps-subnet spec.network.routes[0].to"});
  // A wider route than the subnet is fine: the connected route stays more specific.
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.0.0.0/8, via: 10.168.0.254}]\n")), Strings{});
}

TEST(ParseRoutes, ModesWithoutALink) {
  // Kept with the bridge for a switch back; without it they mean nothing.
  EXPECT_EQ(CodesAndFields(LoadVm("    mode: disabled\n    routes: [{to: 10.20.0.0/16, via: 10.168.0.254}]\n")),
            Strings{});
  auto r = Load(testing::Header("VM", "vm1") +
                "spec:\n  network:\n    mode: loopback\n    routes: [{to: 10.20.0.0/16, via: 10.168.0.254}]\n");
  EXPECT_EQ(CodesAndFields(r), Strings{"mode-conflict spec.network.routes"});
}

TEST(ParseRoutes, HostileInput) {
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: {to: 10.20.0.0/16, via: 10.168.0.254}\n")),
            Strings{"wrong-type spec.network.routes"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [[10.20.0.0/16, 10.168.0.254]]\n")),
            Strings{"wrong-type spec.network.routes[0]"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: \"10.20.0.0/16\\n10.0.0.0/8\", via: 10.168.0.254}]\n")),
            Strings{"invalid-cidr spec.network.routes[0].to"});
  EXPECT_EQ(CodesAndFields(LoadVm("    routes: [{to: 10.20.0.0/33, via: 10.168.0.2540}]\n")),
            (Strings{"invalid-cidr spec.network.routes[0].to", "invalid-address spec.network.routes[0].via"}));
  std::string many = "    routes:\n";
  for (int i = 0; i < 1000; ++i) many += "      - {to: 10." + std::to_string(20 + i % 200) + ".0.0/16, via: 10.168.0.254}\n";
  auto r = LoadVm(many);
  EXPECT_EQ(CodesAndFields(r), Strings{"too-many-routes spec.network.routes"});
  EXPECT_TRUE(r.manifest.vms.empty() || r.manifest.vms.at(0).network.routes.empty());
  EXPECT_EQ(CodesAndFields(LoadVm("    routes:\n      - {to: 10.20.0.0/16, via: 10.168.0.254}\n"
                                  "      - {to: 10.20.0.0/16, via: 10.168.0.254}\n")),
            Strings{"duplicate-route spec.network.routes[1].to"});
}

}  // namespace
}  // namespace berth::model
