// FreeBSD properties over random jail manifests and random simulated hosts (an earlier manifest applied, jails
// dead with their ends returned or in transit, jails stuck dying, berth's leftovers, foreign objects):
//   - one apply converges: it succeeds, verifies, and the next plan is empty (also once every teardown settled);
//   - objects berth does not own are untouched;
//   - a failure at any changing command, then another apply, converges.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "tests/property/freebsd_generators.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::proptest::freebsd {
namespace {

using drivers::freebsd::testing::Argv;
using drivers::freebsd::testing::Host;
using Strings = std::vector<std::string>;

bool IsVnetJailOf(const model::Manifest& m, const std::string& name) {
  for (const auto& j : m.jails)
    if (j.doc.metadata.name == name) return j.network.vnet;
  return false;
}

/// What went wrong with a plan-and-apply, as lines; empty when it converged and verified.
Strings ApplyProblems(Host& h, const model::Manifest* m) {
  Strings out;
  auto plan = h.Plan(m);
  for (const auto& c : plan.changes.conflicts) out.push_back("conflict: " + c.message);
  if (!out.empty()) return out;
  auto report = h.Apply(plan);
  for (const auto& r : report.steps)
    if (r.outcome == reconciler::StepOutcome::kFailed)
      out.push_back("failed: " + plan.steps[r.step_id].key().ToString() + ": " + (r.error ? r.error->ToString() : "?"));
  if (!out.empty()) return out;
  for (const auto& v : h.Verify(plan)) out.push_back("verify: " + v);
  if (m && out.empty()) h.applied = plan.manifest_ids;
  return out;
}

Strings Pending(Host& h, const model::Manifest& m) {
  Strings out;
  for (const auto& s : h.Plan(&m).steps) out.push_back(std::string(reconciler::ToString(s.op)) + " " + s.key().ToString());
  return out;
}

/// Unowned host records (interfaces, addresses, jails) by key: what berth must leave as it found it.
std::map<std::string, reconciler::Attrs> Unowned(Host& h) {
  std::map<std::string, reconciler::Attrs> out;
  auto observed = h.driver->Observe({});
  if (!observed.ok()) return out;
  for (const auto& r : observed->resources)
    if (r.ownership == reconciler::Ownership::kUnowned && (r.key.kind == "iface" || r.key.kind == "addr" || r.key.kind == "jail"))
      out[r.key.ToString()] = r.attrs;
  return out;
}

/// Brings a fresh host through the scenario's history.
void Prepare(Host& h, const FreeBsdScenario& s) {
  const History& hist = s.history;
  RC_ASSERT(ApplyProblems(h, &hist.previous) == Strings{});
  for (int k : hist.killed)
    if (IsVnetJailOf(hist.previous, kJailNames[size_t(k)])) h.sim.KillJail(kJailNames[size_t(k)]);
  if (hist.settle) h.sim.Settle();
  for (int d : hist.dying) {
    if (!IsVnetJailOf(hist.previous, kJailNames[size_t(d)])) continue;
    h.sim.HoldDying(kJailNames[size_t(d)], 1 << 20);
    h.sim.KillJail(kJailNames[size_t(d)]);
  }
  if (hist.leak_bridge) h.sim.Exec(Argv("ifconfig bridge create description 'berth owner=Bridge/old' name old0 up"));
  if (hist.leak_epair) h.sim.Exec(Argv("ifconfig epair create description 'berth owner=Jail/gone end=a if=vnet0' up"));
  if (hist.leak_ipfw) h.sim.Exec(Argv("ipfw -q add 20999 deny log ip from any to any layer2 out via x0 // berth owner=Jail/gone"));
  if (hist.foreign) {
    h.sim.Exec(Argv("ifconfig bridge9 create up"));
    auto epair = h.sim.Exec(Argv("ifconfig epair create"));
    const std::string a = epair.out.substr(0, epair.out.size() - 1), b = a.substr(0, a.size() - 1) + "b";
    h.sim.Exec(Argv("ifconfig " + a + " name vnet0.9 description 'associated with jail: other as nic: epair0b'"));
    h.sim.Exec(Argv("jail -c name=other path=/jails/other persist vnet vnet.interface=" + b));
  }
}

RC_GTEST_PROP(FreeBsdConvergence, OneApplyConvergesAndLeavesForeignObjectsAlone, (const FreeBsdScenario& s)) {
  Host h;
  Prepare(h, s);
  const auto unowned_before = Unowned(h);
  RC_ASSERT(ApplyProblems(h, &s.manifest) == Strings{});
  RC_ASSERT(Pending(h, s.manifest) == Strings{});
  h.sim.Settle();
  RC_ASSERT(Pending(h, s.manifest) == Strings{});
  const auto unowned_after = Unowned(h);
  for (const auto& [key, attrs] : unowned_before) {
    auto it = unowned_after.find(key);
    RC_ASSERT(it != unowned_after.end());
    RC_ASSERT(it->second == attrs);
  }
}

RC_GTEST_PROP(FreeBsdConvergence, AFailureAtAnyCommandThenAnotherApplyConverges, (const FreeBsdScenario& s)) {
  Host h;
  Prepare(h, s);
  int64_t commands = 0;
  {
    Host probe(h.sim.state());
    probe.allocations = h.allocations;
    probe.applied = h.applied;
    const int64_t before = probe.sim.changes_seen();
    RC_ASSERT(ApplyProblems(probe, &s.manifest) == Strings{});
    commands = probe.sim.changes_seen() - before;
  }
  RC_PRE(commands > 0);
  const int64_t k = *rc::gen::inRange<int64_t>(0, commands);
  h.sim.FailChange(k);
  RC_ASSERT(!ApplyProblems(h, &s.manifest).empty());
  RC_ASSERT(!h.sim.fault_pending());
  RC_ASSERT(ApplyProblems(h, &s.manifest) == Strings{});
  RC_ASSERT(Pending(h, s.manifest) == Strings{});
  h.sim.Settle();
  RC_ASSERT(Pending(h, s.manifest) == Strings{});
}

RC_GTEST_PROP(FreeBsdConvergence, DestroyRemovesEverythingBerthOwns, (const FreeBsdScenario& s)) {
  Host h;
  Prepare(h, s);
  RC_ASSERT(ApplyProblems(h, nullptr) == Strings{});
  h.sim.Settle();
  auto observed = h.driver->Observe({});
  RC_ASSERT(observed.ok());
  for (const auto& r : observed->resources)
    RC_ASSERT(r.ownership == reconciler::Ownership::kUnowned || r.key.kind == "sysctl");
}

}  // namespace
}  // namespace berth::proptest::freebsd
