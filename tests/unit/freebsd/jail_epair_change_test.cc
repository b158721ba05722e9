// A live VNET jail keeps its processes when its epairs change in a way a move can do: another bridge, an
// interface added or removed. Only what a move cannot do (a new MTU, a jail end that left the jail) makes the
// jail again. The jail's jid is the witness: a jail made again gets a new one.
#include <gtest/gtest.h>

#include <array>

#include "tests/unit/freebsd/conformance.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

const std::string kBridges = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: bridge0}
spec: {address: 10.11.0.1/16}
---
apiVersion: berth/v1
kind: Bridge
metadata: {name: bridge1}
spec: {address: 10.12.0.1/16}
---
apiVersion: berth/v1
kind: Bridge
metadata: {name: bridge2}
spec: {address: 10.13.0.1/16, mtu: 9000}
)";

/// The jail "web" with one interface per (name, bridge, address).
model::Manifest WebOn(const std::vector<std::array<std::string, 3>>& interfaces) {
  std::string text = kBridges + R"(---
apiVersion: berth/v1
kind: Jail
metadata: {name: web}
spec:
  path: /usr/local/jails/web
  network:
    vnet: true
    interfaces:
)";
  for (const auto& [name, bridge, address] : interfaces)
    text += "      - {name: " + name + ", bridge: " + bridge + ", address: " + address + "}\n";
  auto loaded = model::LoadManifestText(text, "web.yaml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

/// Every command the simulated host ran has the shape of a case FreeBSD accepts.
void ExpectAllInTheCorpus(const Host& host) {
  const auto accepted = AcceptedShapes();
  for (const auto& argv : host.sim.log())
    EXPECT_TRUE(accepted.count(ArgvShape(argv))) << "not in the conformance corpus: " << ArgvShape(argv);
}

bool Replaces(const reconciler::Plan& plan, const std::string& key) {
  for (const auto& s : plan.steps)
    if (s.op == reconciler::Op::kDelete && s.key().ToString() == key) return true;
  return false;
}

TEST(FreeBsdJailEpairs, MovingAnInterfaceToAnotherBridgeKeepsTheJail) {
  Host host;
  const model::Manifest before = WebOn({{"vnet0", "bridge0", "10.11.0.10/16"}});
  ASSERT_TRUE(host.Converge(&before));
  const int jid = JidOf(host, "web");
  ASSERT_NE(jid, 0);

  const model::Manifest after = WebOn({{"vnet0", "bridge1", "10.12.0.10/16"}});
  auto plan = host.Plan(&after);
  EXPECT_FALSE(Replaces(plan, "jail:/web")) << Steps(plan);
  const std::string commands = Commands(plan);
  EXPECT_NE(commands.find("ifconfig bridge0 deletem "), std::string::npos) << commands;
  EXPECT_NE(commands.find("ifconfig bridge1 addm "), std::string::npos) << commands;
  EXPECT_EQ(commands.find("jail -r"), std::string::npos) << commands;
  ASSERT_TRUE(host.Converge(&after));
  EXPECT_EQ(JidOf(host, "web"), jid);
  EXPECT_FALSE(host.Plan(&after).HasWork()) << Steps(host.Plan(&after));
  ExpectAllInTheCorpus(host);  // before the test's own listing commands
  EXPECT_NE(Out(host.sim, "ifconfig -j web vnet0").find("inet 10.12.0.10"), std::string::npos);
}

TEST(FreeBsdJailEpairs, AddingAndRemovingAnInterfaceKeepsTheJail) {
  Host host;
  const model::Manifest one = WebOn({{"vnet0", "bridge0", "10.11.0.10/16"}});
  ASSERT_TRUE(host.Converge(&one));
  const int jid = JidOf(host, "web");

  const model::Manifest two = WebOn({{"vnet0", "bridge0", "10.11.0.10/16"}, {"vnet1", "bridge1", "10.12.0.10/16"}});
  auto plan = host.Plan(&two);
  EXPECT_FALSE(Replaces(plan, "jail:/web")) << Steps(plan);
  EXPECT_NE(Commands(plan).find(" vnet web \n"), std::string::npos) << Commands(plan);  // handed over, as jail(8) does
  ASSERT_TRUE(host.Converge(&two));
  EXPECT_EQ(JidOf(host, "web"), jid);
  EXPECT_FALSE(host.Plan(&two).HasWork()) << Steps(host.Plan(&two));
  ExpectAllInTheCorpus(host);
  EXPECT_NE(Out(host.sim, "ifconfig -j web vnet1").find("inet 10.12.0.10"), std::string::npos);

  plan = host.Plan(&one);
  EXPECT_FALSE(Replaces(plan, "jail:/web")) << Steps(plan);
  ASSERT_TRUE(host.Converge(&one));
  EXPECT_EQ(JidOf(host, "web"), jid);
  EXPECT_FALSE(host.Plan(&one).HasWork()) << Steps(host.Plan(&one));
  EXPECT_EQ(Out(host.sim, "ifconfig -j web -l"), "lo0 vnet0\n");
}

TEST(FreeBsdJailEpairs, ANewMtuMakesTheJailAgain) {
  // The jail end would need the new MTU as well, and 15.x refuses an MTU change on a bridge member (facts A1).
  Host host;
  const model::Manifest before = WebOn({{"vnet0", "bridge0", "10.11.0.10/16"}});
  ASSERT_TRUE(host.Converge(&before));
  const int jid = JidOf(host, "web");
  const model::Manifest after = WebOn({{"vnet0", "bridge2", "10.13.0.10/16"}});
  auto plan = host.Plan(&after);
  EXPECT_TRUE(Replaces(plan, "jail:/web")) << Steps(plan);
  ASSERT_TRUE(host.Converge(&after));
  EXPECT_NE(JidOf(host, "web"), jid);
  EXPECT_FALSE(host.Plan(&after).HasWork());
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing

namespace berth::drivers::freebsd::testing {
namespace {

TEST(FreeBsdJailEpairs, AnUpdateTouchesOnlyTheEpairNamesBerthDerives) {
  // A record that claims another interface as the jail's epair (an edited plan, a confused observation) must
  // not get it destroyed or moved.
  Host host;
  const model::Manifest two = WebOn({{"vnet0", "bridge0", "10.11.0.10/16"}, {"vnet1", "bridge1", "10.12.0.10/16"}});
  ASSERT_TRUE(host.Converge(&two));
  const model::Manifest one = WebOn({{"vnet0", "bridge0", "10.11.0.10/16"}});
  auto plan = host.Plan(&one);
  const reconciler::Step* update = nullptr;
  for (const auto& s : plan.steps)
    if (s.op == reconciler::Op::kUpdate && s.key().ToString() == "jail:/web") update = &s;
  ASSERT_NE(update, nullptr) << Steps(plan);
  reconciler::Resource before = *update->before;
  before.attrs["epair.vnet1"] = "em0 bridge=bridge1 mtu=1500 peer=em0";
  auto commands = Explain(reconciler::Action{update->id, update->op, update->resource, update->fields, before});
  ASSERT_FALSE(commands.ok());
  EXPECT_NE(commands.error().message.find("refusing epair end (not the name berth derives for the jail's interface) \"em0\""), std::string::npos) << commands.error().message;
  auto honest = Explain(reconciler::Action{update->id, update->op, update->resource, update->fields, update->before});
  ASSERT_TRUE(honest.ok()) << honest.error().message;
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
