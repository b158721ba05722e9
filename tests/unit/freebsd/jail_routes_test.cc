// A VNET jail's extra routes (spec.network.routes): made with route -j JAIL add -net, observed with netstat -j,
// repaired when they drift, collected when they leak, and changed without making the jail again (its jid is the
// witness). Every command is judged by the simulated host and must be in the conformance corpus.
#include <gtest/gtest.h>

#include <map>

#include "drivers/freebsd/parse.h"
#include "drivers/freebsd/platform/freebsd_show.h"
#include "tests/unit/freebsd/conformance.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

model::Manifest WebWithRoutes(const std::string& routes) {
  const std::string text = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: bridge0}
spec: {address: 10.11.0.1/16}
---
apiVersion: berth/v1
kind: Jail
metadata: {name: web}
spec:
  path: /usr/local/jails/web
  network:
    interfaces: [{name: vnet0, bridge: bridge0, address: 10.11.0.10/16}]
)" + (routes.empty() ? "" : "    routes: " + routes + "\n");
  auto loaded = model::LoadManifestText(text, "web.yaml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

int JidOf(const Host& host) {
  for (const auto& [jid, jail] : host.sim.state().jails)
    if (jail.name == "web" && !jail.dying) return jid;
  return 0;
}

std::map<std::string, std::string> RoutesOf(const Host& host) {
  for (const auto& [jid, jail] : host.sim.state().jails)
    if (jail.name == "web" && !jail.dying) return jail.routes;
  return {};
}

bool HasStep(const reconciler::Plan& plan, reconciler::Op op, const std::string& key) {
  for (const auto& s : plan.steps)
    if (s.op == op && s.key().ToString() == key) return true;
  return false;
}

const std::string kTwo = "[{to: 10.20.0.0/16, via: 10.11.0.254}, {to: 192.0.2.7/32, via: 10.11.0.1}]";

TEST(FreeBsdJailRoutes, MadeObservedAndStable) {
  Host host;
  const model::Manifest m = WebWithRoutes(kTwo);
  auto plan = host.Plan(&m);
  const std::string commands = Commands(plan);
  EXPECT_NE(commands.find("route -j web add -net 10.20.0.0/16 10.11.0.254 \n"), std::string::npos) << commands;
  EXPECT_NE(commands.find("route -j web add -net 192.0.2.7/32 10.11.0.1 \n"), std::string::npos) << commands;
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_EQ(RoutesOf(host), (std::map<std::string, std::string>{{"10.20.0.0/16", "10.11.0.254"},
                                                                  {"192.0.2.7/32", "10.11.0.1"}}));
  EXPECT_FALSE(host.Plan(&m).HasWork()) << Steps(host.Plan(&m));
  // show: the default route's gateway apart from the extra routes.
  auto observed = host.driver->Observe({});
  ASSERT_TRUE(observed.ok());
  const auto jails = reconciler::freebsd_res::DescribeJails(*observed);
  ASSERT_EQ(jails.size(), 1u);
  EXPECT_EQ(jails[0].gateway, "10.11.0.1");
  EXPECT_EQ(jails[0].routes, (std::vector<std::pair<std::string, std::string>>{{"10.20.0.0/16", "10.11.0.254"},
                                                                              {"192.0.2.7/32", "10.11.0.1"}}));
  const auto accepted = AcceptedShapes();
  for (const auto& argv : host.sim.log())
    EXPECT_TRUE(accepted.count(ArgvShape(argv))) << "not in the conformance corpus: " << ArgvShape(argv);
}

TEST(FreeBsdJailRoutes, ANewNextHopChangesTheRouteNotTheJail) {
  Host host;
  const model::Manifest before = WebWithRoutes(kTwo);
  ASSERT_TRUE(host.Converge(&before));
  const int jid = JidOf(host);
  ASSERT_NE(jid, 0);
  const model::Manifest after =
      WebWithRoutes("[{to: 10.20.0.0/16, via: 10.11.0.253}, {to: 10.30.0.0/16, via: 10.11.0.253}]");
  auto plan = host.Plan(&after);
  EXPECT_FALSE(HasStep(plan, reconciler::Op::kDelete, "jail:/web")) << Steps(plan);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kDelete, "route:web/192.0.2.7/32")) << Steps(plan);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kCreate, "route:web/10.30.0.0/16")) << Steps(plan);
  EXPECT_EQ(Commands(plan).find("jail -"), std::string::npos) << Commands(plan);
  ASSERT_TRUE(host.Converge(&after));
  EXPECT_EQ(JidOf(host), jid);
  EXPECT_EQ(RoutesOf(host), (std::map<std::string, std::string>{{"10.20.0.0/16", "10.11.0.253"},
                                                                  {"10.30.0.0/16", "10.11.0.253"}}));
  EXPECT_FALSE(host.Plan(&after).HasWork()) << Steps(host.Plan(&after));

  const model::Manifest none = WebWithRoutes("");
  ASSERT_TRUE(host.Converge(&none));
  EXPECT_EQ(JidOf(host), jid);
  EXPECT_TRUE(RoutesOf(host).empty());
}

TEST(FreeBsdJailRoutes, DriftIsRepairedAndALeakCollected) {
  Host host;
  const model::Manifest m = WebWithRoutes(kTwo);
  ASSERT_TRUE(host.Converge(&m));
  // Someone deletes one route and adds another of their own inside berth's jail.
  ASSERT_EQ(Sh(host.sim, "route -j web delete -net 10.20.0.0/16").exit_code, 0);
  ASSERT_EQ(Sh(host.sim, "route -j web add -net 10.99.0.0/16 10.11.0.9").exit_code, 0);
  auto plan = host.Plan(&m);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kCreate, "route:web/10.20.0.0/16")) << Steps(plan);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kDelete, "route:web/10.99.0.0/16")) << Steps(plan);
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_EQ(RoutesOf(host), (std::map<std::string, std::string>{{"10.20.0.0/16", "10.11.0.254"},
                                                                  {"192.0.2.7/32", "10.11.0.1"}}));
  EXPECT_FALSE(host.Plan(&m).HasWork());
}

TEST(FreeBsdJailRoutes, NetstatListingIsParsed) {
  const std::string listing =
      "Routing tables\n\nInternet:\nDestination        Gateway            Flags         Netif Expire\n"
      "default            10.11.0.1          UGS           vnet0\n"
      "10.11.0.0/16       link#2             U             vnet0\n"
      "10.20/16           10.11.0.254        UGS           vnet0\n"
      "192.0.2.7          10.11.0.1          UGHS          vnet0\n"
      "10.11.0.10         link#1             UHS             lo0\n"
      "10.40.0.1/16       10.11.0.254        UGS           vnet0\n";  // host bits: not a route table's shape
  const auto routes = ParseNetstatRoutes(listing);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].destination, "10.20.0.0/16");
  EXPECT_EQ(routes[0].gateway, "10.11.0.254");
  EXPECT_EQ(routes[0].interface, "vnet0");
  EXPECT_EQ(routes[1].destination, "192.0.2.7/32");
  EXPECT_TRUE(ParseNetstatRoutes("Destination Gateway Flags Netif\n-net 1 UGS x\n").empty());
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
