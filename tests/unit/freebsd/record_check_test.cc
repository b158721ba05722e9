// The FreeBSD records whose text reaches a firewall are berth's own rules or refused: at plan time and when a
// saved plan is applied (reconciler/saved_plan.h), so an edited plan cannot load a pf or ipfw rule of its own.
#include "drivers/freebsd/platform/freebsd_record_check.h"

#include <gtest/gtest.h>

#include "drivers/freebsd/platform/freebsd_resources.h"
#include "drivers/freebsd/platform/freebsd_rules.h"
#include "reconciler/plan_json.h"
#include "reconciler/saved_plan.h"
#include "tests/unit/freebsd/freebsd_fixture.h"

namespace berth::drivers::freebsd::testing {
namespace {

using namespace reconciler::freebsd_res;  // NOLINT: the vocabulary of these tests

reconciler::Resource Pf(const std::string& nat, const std::string& rdr) {
  reconciler::Resource r;
  r.key = {kPf, "", "berth/out"};
  r.attrs[kNat] = nat;
  if (!rdr.empty()) r.attrs[kRdr] = rdr;
  return r;
}

TEST(FreeBsdRecordCheck, BerthsOwnRulesPassAndAnythingElseIsRefused) {
  const std::string nat = "nat on em0 inet from 10.11.0.0/16 to any -> (em0)";
  const std::string rdr = "rdr on em0 inet proto tcp from any to any port = 8080 -> 10.11.0.10 port 80";
  EXPECT_EQ(FreeBsdRecordError(Pf(nat, rdr)), std::nullopt);
  for (const char* bad :
       {"nat on em0 inet from any to any -> 192.0.2.1", "nat on em0 inet from 10.11.0.0/16 to any -> (em0) tag x",
        "pass all", "nat on {em0 em1} inet from 10.11.0.0/16 to any -> ({em0 em1})"})
    EXPECT_NE(FreeBsdRecordError(Pf(bad, "")), std::nullopt) << bad;
  EXPECT_NE(FreeBsdRecordError(Pf(nat, nat + "\n" + rdr)), std::nullopt);
  // Forwards' rules: sources, listen addresses, ranges and the reflection pair on the bridge pass; anything a
  // forward does not derive (another pool, extra options, sctp ports, a range not kept, host bits) is refused.
  for (const char* ok : {"rdr on em0 inet proto tcp from 198.51.100.0/24 to any port = 22 -> 10.11.0.10 port 22",
                         "rdr on em0 inet proto tcp from 198.51.100.7 to 192.0.2.10 port = 22 -> 10.11.0.10 port 22",
                         "rdr on em0 inet proto udp from any to any port 9000:9099 -> 10.11.0.10 port 9000:9099",
                         "rdr on br0 inet proto tcp from 10.11.0.0/16 to (em0) port = 8080 -> 10.11.0.10 port 80"})
    EXPECT_EQ(FreeBsdRecordError(Pf(nat, ok)), std::nullopt) << ok;
  const std::string reflection = "nat on br0 inet proto tcp from 10.11.0.0/16 to 10.11.0.10 port = 80 -> (br0)";
  EXPECT_EQ(FreeBsdRecordError(Pf(nat + "\n" + reflection, "")), std::nullopt);
  for (const char* bad : {"rdr on em0 inet proto tcp from 198.51.100.1/24 to any port = 22 -> 10.11.0.10 port 22",
                          "rdr on em0 inet proto sctp from any to any port = 22 -> 10.11.0.10 port 22",
                          "rdr on em0 inet proto tcp from any to any port 22 -> 10.11.0.10 port 22",
                          "rdr on em0 inet proto tcp from any to any port = 22 -> 10.11.0.10 port 22 pass",
                          "rdr on em0 inet proto tcp from any to any port = 22 -> (em0) port 22",
                          "rdr on em0 inet proto tcp from any to any port 22:21 -> 10.11.0.10 port 22:21",
                          "rdr on em0 inet proto tcp from any to any port = 22 -> 10.11.0.10 port 22:*",
                          "rdr on em0 inet proto tcp from any to 10.0.0.0/8 port = 22 -> 10.11.0.10 port 22",
                          "rdr on em0 inet proto tcp from any to any port = 70000 -> 10.11.0.10 port 22",
                          "nat on br0 inet proto tcp from 10.11.0.0/16 to 10.11.0.10 port = 80 -> (br0)"})
    EXPECT_NE(FreeBsdRecordError(Pf(nat, bad)), std::nullopt) << bad;
  for (const char* bad : {"nat on br0 inet proto tcp from any to 10.11.0.10 port = 80 -> (br0)",
                          "nat on br0 inet proto tcp from 10.11.0.0/16 to 10.11.0.10 port = 80 -> (em0)",
                          "nat on br0 inet proto tcp from 10.11.0.0/16 to any port = 80 -> (br0)",
                          "nat on br0 inet proto tcp from 10.11.0.0/16 to 10.11.0.10 port = 80 -> 10.0.0.1"})
    EXPECT_NE(FreeBsdRecordError(Pf(nat + "\n" + bad, "")), std::nullopt) << bad;
  // pfctl lists 0.0.0.0/0 as "any": a forward never derives it.
  EXPECT_NE(FreeBsdRecordError(Pf(nat, "rdr on em0 inet proto tcp from 0.0.0.0/0 to any port = 22 -> 10.11.0.10 port 22")),
            std::nullopt);

  std::string rules;
  for (const auto& rule : SecureVnetRules(*model::Ipv4::Parse("10.11.0.10"), *model::Mac::Parse("8a:ca:58:fd:2f:40"),
                                          "bu1b", "bj1a"))
    rules += (rules.empty() ? "" : "\n") + NormalizeIpfwRule(rule);
  reconciler::Resource ipfw;
  ipfw.key = {kIpfw, "", "20001"};
  ipfw.attrs[kRules] = rules;
  EXPECT_EQ(FreeBsdRecordError(ipfw), std::nullopt);
  ipfw.attrs[kRules] = rules + "\nallow ip from any to any layer2";
  EXPECT_NE(FreeBsdRecordError(ipfw), std::nullopt);
  ipfw.attrs[kRules] = "allow ip from any to any layer2\n" + rules.substr(rules.find('\n') + 1);
  EXPECT_NE(FreeBsdRecordError(ipfw), std::nullopt);
}

TEST(FreeBsdRecordCheck, TheExamplesRecordsAreBerthsOwn) {
  for (const char* dir : {"examples/manifests/freebsd-vnet", "examples/manifests/iocage",
                          "examples/manifests/freebsd-forwards"}) {
    Host host;
    const model::Manifest m = LoadManifestDir(dir);
    const auto plan = host.Plan(&m);
    EXPECT_TRUE(plan.changes.conflicts.empty()) << dir << "\n" << Steps(plan);
    for (const auto& s : plan.steps) EXPECT_EQ(FreeBsdRecordError(s.resource), std::nullopt) << s.key().ToString();
  }
}

TEST(FreeBsdRecordCheck, AnEditedSavedPlanCannotLoadARuleOfItsOwn) {
  Host host;
  const model::Manifest m = LoadManifestDir("examples/manifests/freebsd-vnet");
  auto file = reconciler::PlanFromJson(nlohmann::json::parse(reconciler::PlanToJson(host.Plan(&m)).dump()));
  ASSERT_TRUE(file.ok());
  auto recheck = [&](const reconciler::Plan& saved) {
    auto now = host.driver->Observe({});
    return reconciler::RecheckSavedPlan(*host.platform, saved, *now, reconciler::SavedPlanCheck{{0.5, false}, {}});
  };
  auto own = recheck(*file);
  ASSERT_TRUE(own.ok()) << own.error().message;

  reconciler::Plan edited = *file;
  const std::string hijack = "nat on em0 inet from any to any -> 192.0.2.1";
  for (auto& c : edited.changes.changes)
    if (c.after && c.after->key.kind == kPf) c.after.Edit([&](reconciler::Resource& r) { r.attrs[kNat] = hijack; });
  for (auto& s : edited.steps)
    if (s.key().kind == kPf) s.resource.Edit([&](reconciler::Resource& r) { r.attrs[kNat] = hijack; });
  auto refused = recheck(edited);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("is not one berth derives"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
