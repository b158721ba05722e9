// The FreeBSD driver against a hostile host: a jail's root lying in its own vnet, links out of a jail's tree,
// firewall rules that bypass or swallow berth's, pf loaded but off, a FreeBSD 14 host.
#include <gtest/gtest.h>

#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

constexpr const char* kVnet = "examples/manifests/freebsd-vnet";
constexpr const char* kIocage = "examples/manifests/iocage";
constexpr const char* kResolv = "/usr/local/jails/web/etc/resolv.conf";

std::string Messages(const reconciler::Plan& plan) {
  std::string out;
  for (const auto& c : plan.changes.conflicts) out += "conflict: " + c.message + "\n";
  for (const auto& w : plan.changes.warnings) out += "warning: " + w.message + "\n";
  return out;
}

TEST(FreeBsdHostile, AJailsRootCannotClaimAnotherJailsEpair) {
  // www1's root tags its own lo0 as www2's jail end: descriptions inside a vnet are the jail's to set, so
  // berth's bookkeeping must not follow them.
  Host host;
  const model::Manifest m = LoadManifestDir(kIocage);
  ASSERT_TRUE(host.Converge(&m));
  host.sim.Exec({"ifconfig", "-j", "www1", "lo0", "description", "berth owner=Jail/www2 end=b if=vnet0 pair=bj9455b129a"});
  auto plan = host.Plan(&m);
  EXPECT_FALSE(plan.HasWork()) << Steps(plan);
  EXPECT_TRUE(plan.changes.conflicts.empty()) << Messages(plan);
  // Re-tagging its own end for www2's pair only harms www1 (its end looks gone, so it is made again): nothing
  // of www2 is touched.
  host.sim.Exec({"ifconfig", "-j", "www1", "vnet0", "description", "berth owner=Jail/www2 end=b if=vnet0 pair=bj9455b129a"});
  const std::string before = Out(host.sim, "ifconfig -j www2 -a") + Out(host.sim, "ifconfig bj9455b129a");
  plan = host.Plan(&m);
  for (const auto& step : plan.steps) EXPECT_EQ(step.key().ToString().find("www2"), std::string::npos) << Steps(plan);
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_EQ(Out(host.sim, "ifconfig -j www2 -a") + Out(host.sim, "ifconfig bj9455b129a"), before);
  EXPECT_FALSE(host.Plan(&m).HasWork());
  // Two interfaces tagged alike in one jail: one record, no duplicate keys.
  host.sim.Exec({"ifconfig", "-j", "www1", "lo0", "description", "berth owner=Jail/www1 end=b if=vnet0 pair=bj6faa9d80a"});
  plan = host.Plan(&m);
  for (const auto& step : plan.steps) EXPECT_EQ(step.key().ToString().find("www2"), std::string::npos) << Steps(plan);
}

TEST(FreeBsdHostile, ALinkOutOfTheJailsTreeIsNeverReadNorWritten) {
  for (const std::string target : {"/etc/master.passwd", "/etc/nonexistent"}) {
    SCOPED_TRACE(target);
    Host host;
    const model::Manifest m = LoadManifestDir(kVnet);
    ASSERT_TRUE(host.Converge(&m));
    sim::SimState s = host.sim.state();
    s.files["/etc/master.passwd"] = "root:secret\n";
    s.files.erase(kResolv);
    s.links[kResolv] = target;  // what the jail's root does with "ln -sf TARGET /etc/resolv.conf" inside
    host.sim.set_state(s);
    host.sim.ClearLog();
    auto plan = host.Plan(&m);
    const std::string messages = Messages(plan);
    EXPECT_NE(messages.find("/etc/resolv.conf of jail web resolves to"), std::string::npos) << messages;
    EXPECT_EQ(messages.find("root:secret"), std::string::npos) << "a host file reached the plan";
    for (const auto& argv : host.sim.log()) EXPECT_NE(argv[0], "cat") << "read through a link";
    EXPECT_EQ(host.sim.state().files.at("/etc/master.passwd"), "root:secret\n");
    EXPECT_FALSE(host.sim.state().files.count("/etc/nonexistent"));
  }
}

TEST(FreeBsdHostile, AnEtcLinkOutOfTheJailsTreeIsRefusedToo) {
  Host host;
  const model::Manifest m = LoadManifestDir(kVnet);
  ASSERT_TRUE(host.Converge(&m));
  sim::SimState s = host.sim.state();
  s.files.erase(kResolv);
  s.links["/usr/local/jails/web/etc"] = "/etc";
  host.sim.set_state(s);
  const std::string messages = Messages(host.Plan(&m));
  EXPECT_NE(messages.find("resolves to /etc"), std::string::npos) << messages;
}

TEST(FreeBsdHostile, FirewallRulesAroundBerthsAreConflicts) {
  // An admin's rule that accepts before berth's range, a default-deny ruleset, and an admin's rule holding the
  // number berth wants (in set 0: never berth's, never deleted).
  sim::SimFreeBsd fresh;
  sim::SimState state = fresh.state();
  state.ipfw_default_accept = false;
  Host host(state);
  host.sim.Exec(Argv("ipfw -q add 1000 allow ip from any to any"));
  host.sim.Exec(Argv("ipfw -q add 20102 count ip from any to any"));
  const model::Manifest m = LoadManifestDir(kIocage);
  auto plan = host.Plan(&m);
  const std::string messages = Messages(plan);
  EXPECT_NE(messages.find("ipfw rule \"1000 allow ip from any to any\" comes before berth's range"), std::string::npos)
      << messages;
  EXPECT_NE(messages.find("ipfw's default rule denies"), std::string::npos) << messages;
  EXPECT_NE(messages.find("ipfw:/20102: the name is held by an object berth does not own"), std::string::npos)
      << messages;
  // With the bypass made layer-3 only, an allow rule after berth's range and the number free, it plans cleanly.
  host.sim.Exec(Argv("ipfw -q delete 1000"));
  host.sim.Exec(Argv("ipfw -q delete 20102"));
  host.sim.Exec(Argv("ipfw -q add 1000 allow ip from any to any not layer2"));
  host.sim.Exec(Argv("ipfw -q add 65000 allow ip from any to any layer2"));
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_FALSE(host.Plan(&m).HasWork());
  const std::string rules = Out(host.sim, "ipfw -S list");
  EXPECT_NE(rules.find("20102 set 29 deny log logamount 5 ip"), std::string::npos) << rules;
}

TEST(FreeBsdHostile, PfLoadedButDisabledIsAConflict) {
  Host host;
  host.sim.Exec(Argv("pfctl -d"));
  const model::Manifest m = LoadManifestDir(kVnet);
  const std::string messages = Messages(host.Plan(&m));
  EXPECT_NE(messages.find("pf is loaded but not enabled"), std::string::npos) << messages;
}

TEST(FreeBsdHostile, AFreeBsd14HostIsRefusedForJailsWithTheRelease) {
  sim::SimFreeBsd fresh;
  sim::SimState state = fresh.state();
  state.jail_meta = false;
  Host host(state);
  const model::Manifest m = LoadManifestDir(kVnet);
  const std::string messages = Messages(host.Plan(&m));
  EXPECT_NE(messages.find("berth's jails need FreeBSD 15.0 or later"), std::string::npos) << messages;
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
