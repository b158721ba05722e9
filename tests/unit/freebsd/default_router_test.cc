// A VNET jail in outbound or full mode without defaultRouter routes through its bridge's gateway, as a Linux VM
// does; a given defaultRouter wins.
#include <gtest/gtest.h>

#include "drivers/freebsd/platform/freebsd_expand.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "model/load.h"
#include "reconciler/ipam.h"

namespace berth::reconciler::freebsd_res {
namespace {

const Resource* DefaultRoute(const std::string& router_line, const std::string& mode) {
  static DesiredState desired;  // kept alive for the returned pointer
  const std::string text =
      "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: bridge0}\nspec: {address: 10.11.0.1/16}\n---\n"
      "apiVersion: berth/v1\nkind: Jail\nmetadata: {name: j1}\nspec:\n  path: /jails/j1\n  network:\n"
      "    mode: " + mode + "\n" + router_line +
      "    interfaces: [{name: vnet0, bridge: bridge0, address: 10.11.0.2/16}]\n";
  auto loaded = model::LoadManifestText(text, "test.yaml");
  EXPECT_FALSE(model::HasErrors(loaded.diagnostics)) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString());
  auto allocated = Allocate(loaded.manifest, {});
  desired = ExpandFreeBsd(loaded.manifest, allocated.allocations);
  return desired.Find(ResourceKey{kRoute, "j1", "default"});
}

TEST(FreeBsdDefaultRouter, OutboundJailWithoutRouterUsesTheBridgeGateway) {
  const Resource* route = DefaultRoute("", "outbound");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(*route->Attr(kGateway), "10.11.0.1");
  EXPECT_EQ(*route->Attr(kInterface), "vnet0");
  ASSERT_NE(DefaultRoute("", "full"), nullptr);
}

TEST(FreeBsdDefaultRouter, AGivenRouterWins) {
  const Resource* route = DefaultRoute("    defaultRouter: 10.11.0.254\n", "outbound");
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(*route->Attr(kGateway), "10.11.0.254");
}

}  // namespace
}  // namespace berth::reconciler::freebsd_res
