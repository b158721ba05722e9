// The FreeBSD driver against the simulated host: jails that died with their epairs returned, dying jails,
// leaks, drift, objects berth does not own, and the host facts plans check.
#include <gtest/gtest.h>

#include "drivers/freebsd/parse.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

const std::string kVnet = "examples/manifests/freebsd-vnet";
const std::string kIocage = "examples/manifests/iocage";

bool HasStep(const reconciler::Plan& plan, reconciler::Op op, const std::string& key) {
  for (const auto& s : plan.steps)
    if (s.op == op && s.key().ToString() == key) return true;
  return false;
}

std::string Messages(const reconciler::Plan& plan) {
  std::string out;
  for (const auto& c : plan.changes.conflicts) out += "conflict: " + c.message + "\n";
  for (const auto& w : plan.changes.warnings) out += "warning: " + w.message + "\n";
  return out;
}

TEST(FreeBsdDriver, AJailThatDiedIsRecreatedWithAFreshEpairAndItsReturnedEndCollected) {
  Host host;
  const model::Manifest m = LoadManifestDir(kVnet);
  ASSERT_TRUE(host.Converge(&m));
  host.sim.KillJail("web");
  host.sim.Settle();  // the jail end is back on the host as "vnet0", with berth's description
  EXPECT_EQ(Out(host.sim, "ifconfig -l"), "lo0 em0 bridge0 bj9e649cd0a vnet0\n");
  auto plan = host.Plan(&m);
  // The jail's record is "gone" with its epair: removing it destroys the host end (and the returned end).
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kDelete, "jail:/web")) << Steps(plan);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kCreate, "jail:/web")) << Steps(plan);
  EXPECT_NE(Steps(plan).find("delete jail:/web"), std::string::npos);
  ASSERT_TRUE(host.Converge(&m));
  host.sim.Settle();
  EXPECT_EQ(Out(host.sim, "ifconfig -l"), "lo0 em0 bridge0 bj9e649cd0a\n");
  EXPECT_FALSE(host.Plan(&m).HasWork());
}

TEST(FreeBsdDriver, AJailWhoseEndIsStillInTransitIsRecreatedToo) {
  Host host;
  const model::Manifest m = LoadManifestDir(kVnet);
  ASSERT_TRUE(host.Converge(&m));
  host.sim.KillJail("web");  // no Settle: the vnet's interfaces have not come back yet
  ASSERT_TRUE(host.Converge(&m));
  host.sim.Settle();
  EXPECT_FALSE(host.Plan(&m).HasWork()) << Steps(host.Plan(&m));
}

TEST(FreeBsdDriver, ADyingJailDoesNotBlockItsNameAndIsMadeAgainAtOnce) {
  // kern_jail.c: a create skips a dying prison of the same name, so neither a warning nor a wait is due.
  Host host;
  const model::Manifest m = LoadManifestDir(kVnet);
  ASSERT_TRUE(host.Converge(&m));
  host.sim.HoldDying("web", 1000);
  host.sim.KillJail("web");
  auto plan = host.Plan(&m);
  EXPECT_EQ(Messages(plan).find("dying"), std::string::npos) << Messages(plan);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kCreate, "jail:/web")) << Steps(plan);
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_FALSE(host.Plan(&m).HasWork()) << Steps(host.Plan(&m));
  host.sim.Settle();
  EXPECT_FALSE(host.Plan(&m).HasWork()) << Steps(host.Plan(&m));
}

TEST(FreeBsdDriver, LeaksAreCollectedAndForeignObjectsLeftAlone) {
  Host host;
  sim::SimFreeBsd& s = host.sim;
  // Berth's leftovers: a bridge of a removed manifest, an epair cut short after its clone, ipfw and pf.
  s.Exec({"ifconfig", "bridge", "create", "description", "berth owner=Bridge/old", "name", "old0", "up"});
  s.Exec({"ifconfig", "epair", "create", "description", "berth owner=Jail/web end=a if=vnet0", "up"});
  s.Exec(Argv("ipfw -q add 20500 set 29 deny log ip from any to any layer2 out via x0 // berth owner=Jail/gone"));
  s.Exec(Argv("pfctl -a berth/old -f -"), "nat on em0 from 10.9.0.0/16 to any -> (em0)\n");
  // Someone else's: a bridge, an iocage host end, a jail, a pf anchor, an ipfw rule.
  s.Exec(Argv("ifconfig bridge9 create up"));
  s.Exec(Argv("ifconfig epair create"));
  s.Exec({"ifconfig", "epair1a", "name", "vnet0.7", "description", "associated with jail: other as nic: epair0b"});
  s.Exec(Argv("jail -c name=other path=/jails/other persist vnet vnet.interface=epair1b"));
  s.Exec(Argv("pfctl -a pot-nat -f -"), "nat on em0 from 10.8.0.0/16 to any -> (em0)\n");
  s.Exec(Argv("ipfw -q add 100 allow ip from any to any via lo0"));
  const std::string foreign_before = Out(s, "ifconfig bridge9") + Out(s, "ifconfig vnet0.7") +
                                     Out(s, "jls --libxo json -j other jid name path") + Out(s, "pfctl -a pot-nat -s nat") +
                                     Out(s, "ifconfig -j other -a");

  const model::Manifest m = LoadManifestDir(kVnet);
  auto plan = host.Plan(&m);
  for (const char* key : {"iface:/old0", "iface:/epair0a", "ipfw:/20500", "pf:/berth/old"})
    EXPECT_TRUE(HasStep(plan, reconciler::Op::kDelete, key)) << key << "\n" << Steps(plan);
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_FALSE(host.Plan(&m).HasWork());
  const std::string foreign_after = Out(s, "ifconfig bridge9") + Out(s, "ifconfig vnet0.7") +
                                    Out(s, "jls --libxo json -j other jid name path") + Out(s, "pfctl -a pot-nat -s nat") +
                                    Out(s, "ifconfig -j other -a");
  EXPECT_EQ(foreign_before, foreign_after);
  EXPECT_NE(Out(s, "ipfw list").find("00100 allow ip from any to any via lo0"), std::string::npos);
  EXPECT_EQ(Out(s, "ipfw -S list").find("set 29"), std::string::npos);
}

TEST(FreeBsdDriver, NamesHeldByOthersAreConflictsNeverTakeovers) {
  Host host;
  host.sim.Exec(Argv("ifconfig bridge0 create up"));
  host.sim.Exec(Argv("jail -c name=web path=/somewhere persist"));
  const model::Manifest m = LoadManifestDir(kVnet);
  auto plan = host.Plan(&m);
  const std::string messages = Messages(plan);
  EXPECT_NE(messages.find("iface:/bridge0: the name is held by an object berth does not own"), std::string::npos) << messages;
  EXPECT_NE(messages.find("jail:/web: the name is held by an object berth does not own"), std::string::npos) << messages;
}

TEST(FreeBsdDriver, DriftIsRepaired) {
  Host host;
  const model::Manifest m = LoadManifestDir(kVnet);
  ASSERT_TRUE(host.Converge(&m));
  host.sim.Exec(Argv("ifconfig -j web vnet0 inet 10.11.0.10 -alias"));
  host.sim.Exec(Argv("pfctl -a berth/bridge0-outbound -f -"), "nat on em0 from 10.99.0.0/16 to any -> (em0)\n");
  auto plan = host.Plan(&m);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kUpdate, "jif:web/vnet0")) << Steps(plan);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kUpdate, "pf:/berth/bridge0-outbound")) << Steps(plan);
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_FALSE(host.Plan(&m).HasWork());

  // Membership is part of the jail's epair: out of its bridge, the host end joins it again and the jail stays.
  host.sim.Exec(Argv("ifconfig bridge0 deletem bj9e649cd0a"));
  plan = host.Plan(&m);
  EXPECT_TRUE(HasStep(plan, reconciler::Op::kUpdate, "jail:/web")) << Steps(plan);
  EXPECT_FALSE(HasStep(plan, reconciler::Op::kDelete, "jail:/web")) << Steps(plan);
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_FALSE(host.Plan(&m).HasWork());
}

TEST(FreeBsdDriver, HostFactsBecomeConflictsAndWarnings) {
  sim::SimFreeBsd fresh;
  sim::SimState state = fresh.state();
  state.pf_main_nat = {};
  state.sysctls["net.link.bridge.ipfw"] = "0";
  state.sysctls.erase("kern.features.vimage");
  Host host(state);
  const model::Manifest m = LoadManifestDir(kIocage);
  const std::string messages = Messages(host.Plan(&m));
  EXPECT_NE(messages.find("warning: the main pf ruleset does not hook berth's NAT anchors"), std::string::npos);
  EXPECT_NE(messages.find("nat-anchor \"berth/*\""), std::string::npos);
  EXPECT_NE(messages.find("conflict: secure VNET needs net.link.bridge.ipfw=1"), std::string::npos) << messages;
  EXPECT_NE(messages.find("conflict: VNET jails need a kernel with VIMAGE"), std::string::npos) << messages;

  state = fresh.state();
  state.jail_meta = false;
  state.pf_loaded = false;
  state.ipfw_loaded = false;
  Host old(state);
  const std::string old_messages = Messages(old.Plan(&m));
  EXPECT_NE(old_messages.find("jls does not know the jail parameter meta"), std::string::npos) << old_messages;
  EXPECT_NE(old_messages.find("pf is not loaded"), std::string::npos) << old_messages;
  EXPECT_NE(old_messages.find("secure VNET needs ipfw"), std::string::npos) << old_messages;
}

TEST(FreeBsdDriver, AppliesNothingWhenAValueMustNotReachAnArgv) {
  Host host;
  reconciler::Resource r;
  r.key = {"iface", "", "-a"};
  r.attrs = {{"type", "bridge"}};
  r.provenance = reconciler::Provenance("Bridge/x", {});
  reconciler::ApplyRequest request;
  request.actions.push_back({3, reconciler::Op::kCreate, r, {}});
  auto response = host.driver->Apply(request);
  ASSERT_EQ(response.results.size(), 1u);
  ASSERT_TRUE(response.results[0].error);
  EXPECT_EQ(response.results[0].error->kind, reconciler::DriverError::Kind::kInvalid);
  EXPECT_TRUE(host.sim.log().empty());
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
