// A jail's rate limits on the simulated FreeBSD host: dummynet pipes and the ipfw rules of berth's set that feed
// them, only with ipfw and dummynet loaded and net.inet.ip.fw.one_pass=0 (otherwise a conflict naming why); a
// changed rate reconfigures the pipe in place; an admin's change to a pipe is repaired; the records berth emits
// pass its record check and edited ones do not.
#include <gtest/gtest.h>

#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_record_check.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_show.h"
#include "reconciler/ipam.h"
#include "model/load.h"
#include "tests/unit/freebsd/freebsd_fixture.h"

namespace berth::drivers::freebsd::testing {
namespace {

namespace fr = reconciler::freebsd_res;

model::Manifest Jail(const std::string& bandwidth) {
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
    bandwidth: )" + bandwidth + "\n";
  auto loaded = model::LoadManifestText(text, "jail.yaml", {});
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

/// Makes a host ready for rate limits: one_pass off.
void MakeReady(Host& host) {
  EXPECT_TRUE(host.sim.Exec({"sysctl", "net.inet.ip.fw.one_pass=0"}).ok());
  host.sim.ClearLog();
}

TEST(FreeBsdBandwidth, PipesAndRulesConvergeAndStay) {
  Host host;
  MakeReady(host);
  const auto m = Jail("{egress: 16mbit, ingress: 8mbit, burst: 64kb}");
  auto plan = host.Plan(&m);
  const std::string commands = Commands(plan);
  // Numbers from the jail's slot: rule 21000+s, pipes 21000+s and 22000+s.
  const int slot = fr::ShapeSlots(m).at("Jail/web");
  const std::string eg = std::to_string(fr::kEgressPipeFirst + slot), in = std::to_string(fr::kIngressPipeFirst + slot);
  EXPECT_NE(commands.find("ipfw -q pipe " + eg + " config bw 16000000bit/s burst 65536"), std::string::npos) << commands;
  EXPECT_NE(commands.find("ipfw -q pipe " + in + " config bw 8000000bit/s burst 65536"), std::string::npos) << commands;
  EXPECT_NE(commands.find("add " + std::to_string(fr::kShapeFirstRule + slot) + " set 29 pipe " + eg +
                          " ip from any to any not layer2 in recv "),
            std::string::npos)
      << commands;
  ASSERT_TRUE(host.Converge(&m));
  EXPECT_FALSE(host.Plan(&m).HasWork()) << Steps(host.Plan(&m));
  auto pipes = host.sim.state().pipes;
  ASSERT_EQ(pipes.size(), 2u);
  EXPECT_EQ(pipes.at(std::stoi(eg)).bw, 16'000'000u);
  EXPECT_EQ(pipes.at(std::stoi(in)).bw, 8'000'000u);
  auto observed = host.driver->Observe({});
  ASSERT_TRUE(observed.ok());
  auto jails = fr::DescribeJails(*observed);
  ASSERT_EQ(jails.size(), 1u);
  EXPECT_EQ(jails[0].egress_bits, "16000000");
  EXPECT_EQ(jails[0].ingress_bits, "8000000");

  // A new rate reconfigures the pipe in place: no jail, epair or rule is touched.
  const auto faster = Jail("{egress: 24mbit, ingress: 8mbit, burst: 64kb}");
  plan = host.Plan(&faster);
  ASSERT_EQ(plan.steps.size(), 1u) << Steps(plan);
  EXPECT_EQ(plan.steps[0].key().ToString(), "pipe:/" + eg);
  EXPECT_EQ(plan.steps[0].op, reconciler::Op::kUpdate);
  ASSERT_TRUE(host.Converge(&faster));
  EXPECT_EQ(host.sim.state().pipes.at(std::stoi(eg)).bw, 24'000'000u);

  // An admin reconfigures or deletes a pipe: the next plan puts it back.
  ASSERT_TRUE(host.sim.Exec({"ipfw", "pipe", eg, "config", "bw", "1Mbit/s"}).ok());
  ASSERT_TRUE(host.sim.Exec({"ipfw", "pipe", in, "delete"}).ok());
  plan = host.Plan(&faster);
  EXPECT_EQ(plan.steps.size(), 2u) << Steps(plan);
  ASSERT_TRUE(host.Converge(&faster));
  EXPECT_EQ(host.sim.state().pipes.at(std::stoi(eg)).bw, 24'000'000u);
  EXPECT_EQ(host.sim.state().pipes.at(std::stoi(in)).bw, 8'000'000u);
  EXPECT_FALSE(host.Plan(&faster).HasWork());

  // The limit removed: pipes and rule go, the jail stays.
  const std::string plain = R"(apiVersion: berth/v1
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
)";
  auto loaded = model::LoadManifestText(plain, "jail.yaml", {});
  plan = host.Plan(&loaded.manifest);
  for (const auto& s : plan.steps) EXPECT_TRUE(s.key().kind == fr::kPipe || s.key().kind == fr::kIpfw) << Steps(plan);
  ASSERT_TRUE(host.Converge(&loaded.manifest));
  EXPECT_TRUE(host.sim.state().pipes.empty());
}

TEST(FreeBsdBandwidth, ConflictsSayWhatTheHostLacks) {
  const auto m = Jail("{egress: 16mbit}");
  {
    Host host;  // one_pass=1, FreeBSD's default
    auto plan = host.Plan(&m);
    ASSERT_EQ(plan.changes.conflicts.size(), 1u) << Steps(plan);
    EXPECT_NE(plan.changes.conflicts[0].message.find("one_pass"), std::string::npos);
  }
  {
    Host host;
    MakeReady(host);
    auto s = host.sim.state();
    s.ipfw_loaded = false;
    host.sim.set_state(s);
    auto plan = host.Plan(&m);
    ASSERT_FALSE(plan.changes.conflicts.empty());
    EXPECT_NE(plan.changes.conflicts[0].message.find("ipfw is not loaded"), std::string::npos) << Steps(plan);
  }
  {
    Host host;
    MakeReady(host);
    auto s = host.sim.state();
    s.dummynet_loaded = false;
    host.sim.set_state(s);
    auto plan = host.Plan(&m);
    ASSERT_EQ(plan.changes.conflicts.size(), 1u) << Steps(plan);
    EXPECT_NE(plan.changes.conflicts[0].message.find("dummynet"), std::string::npos);
  }
  {
    Host host;
    MakeReady(host);
    const auto odd = Jail("{egress: 1048576bit}");  // 1.049 Mbit/s as ipfw shows it: never equal
    auto plan = host.Plan(&odd);
    ASSERT_FALSE(plan.changes.conflicts.empty());
    EXPECT_NE(Steps(plan).find("whole Kbit/s"), std::string::npos) << Steps(plan);
    EXPECT_FALSE(plan.HasWork() && plan.changes.conflicts.empty());
  }
}

TEST(FreeBsdBandwidth, AnAdminsPipeInTheRangeIsNotBerths) {
  Host host;
    MakeReady(host);
  const auto m = Jail("{egress: 16mbit}");
  const int slot = fr::ShapeSlots(m).at("Jail/web");
  const std::string eg = std::to_string(fr::kEgressPipeFirst + slot);
  ASSERT_TRUE(host.sim.Exec({"ipfw", "pipe", eg, "config", "bw", "1Mbit/s"}).ok());
  ASSERT_TRUE(host.sim.Exec({"ipfw", "-q", "add", "100", "pipe", eg, "ip", "from", "any", "to", "any"}).ok());
  auto plan = host.Plan(&m);
  ASSERT_EQ(plan.changes.conflicts.size(), 1u) << Steps(plan);
  EXPECT_EQ(host.sim.state().pipes.at(std::stoi(eg)).bw, 1'000'000u);
}

TEST(FreeBsdBandwidth, TheRecordCheckDerivesTheRulesAgain) {
  const auto m = Jail("{egress: 16mbit, ingress: 8mbit}");
  auto platform = reconciler::MakeFreeBsdPlatform();
  auto alloc = reconciler::Allocate(m, {});
  auto desired = platform->Expand(m, alloc.allocations);
  int seen = 0;
  for (const auto& r : desired.resources) {
    EXPECT_EQ(fr::FreeBsdRecordError(*r), std::nullopt) << r->key.ToString();
    if (r->key.kind == fr::kPipe || r->key.kind == fr::kIpfw) ++seen;
  }
  EXPECT_EQ(seen, 3);
  auto edited = [](const char* kind, std::string name, reconciler::Attrs attrs) {
    reconciler::Resource r;
    r.key = {kind, "", std::move(name)};
    r.attrs = std::move(attrs);
    return fr::FreeBsdRecordError(r);
  };
  EXPECT_TRUE(edited(fr::kPipe, "100", {{fr::kBw, "16000000"}, {fr::kBurst, "32768"}})) << "outside berth's range";
  EXPECT_TRUE(edited(fr::kPipe, "21001", {{fr::kBw, "16000000"}, {fr::kBurst, "32768"}, {"delay", "10"}}));
  EXPECT_TRUE(edited(fr::kPipe, "21001", {{fr::kBw, "1048576"}, {fr::kBurst, "32768"}}));
  EXPECT_TRUE(edited(fr::kPipe, "21001", {{fr::kBw, "5000000000"}, {fr::kBurst, "32768"}}));
  EXPECT_FALSE(edited(fr::kPipe, "21001", {{fr::kBw, "16000000"}, {fr::kBurst, "32768"}}));
  EXPECT_FALSE(edited(fr::kIpfw, "21001", {{fr::kRules, "pipe 21001 ip from any to any not layer2 in recv ej_web_vnet0a"}}));
  EXPECT_TRUE(edited(fr::kIpfw, "21002", {{fr::kRules, "pipe 21001 ip from any to any not layer2 in recv ej_web_vnet0a"}}))
      << "rule number and pipe of different slots";
  EXPECT_TRUE(edited(fr::kIpfw, "21001", {{fr::kRules, "pipe 21001 ip from any to any in recv ej_web_vnet0a"}}))
      << "without not layer2";
  EXPECT_TRUE(edited(fr::kIpfw, "21001", {{fr::kRules, "pipe 21001 ip from any to any not layer2 in recv em0"}}))
      << "not an epair host end";
  EXPECT_TRUE(edited(fr::kIpfw, "21001",
                     {{fr::kRules, "pipe 21001 ip from any to any not layer2 in recv ej_web_vnet0a\nallow ip from any to any"}}));
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
