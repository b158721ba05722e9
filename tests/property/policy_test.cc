// Properties of network policies on the simulated Linux host: after random manifests with policies were
// applied and then changed (policies altered, removed, VMs gone), every VM's policy chains and set elements
// exist exactly once and nothing stale is left; and the reach `berth show` reads back from the rules equals the
// reach computed from the manifests.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_policy_reach.h"
#include "drivers/linux/platform/linux_resources.h"
#include "tests/property/harness.h"
#include "tests/property/policy_generators.h"

namespace berth::proptest {
namespace {

using Strings = std::vector<std::string>;
namespace lr = reconciler::linux_res;

struct PolicyScenario {
  model::Manifest previous;
  model::Manifest manifest;
};

void Classify(const PolicyScenario& s) {
  bool vm_policy = false, bridge_policy = false, gateway_dns = false;
  for (const auto& b : s.manifest.bridges) bridge_policy |= b.policy.has_value();
  for (const auto& vm : s.manifest.vms) {
    vm_policy |= vm.network.policy.has_value() && !vm.network.bridge.empty();
    for (const auto& d : vm.network.dns) gateway_dns |= d.ends_with(".0.1");
  }
  RC_CLASSIFY(vm_policy, "a bridged VM's policy");
  RC_CLASSIFY(bridge_policy, "a bridge's policy");
  RC_CLASSIFY(gateway_dns, "dns names the gateway");
}

std::ostream& operator<<(std::ostream& os, const PolicyScenario& s) {
  return os << "previous: " << Describe(s.previous) << "\ncurrent: " << Describe(s.manifest);
}

rc::Gen<PolicyScenario> GenPolicyScenario() {
  return rc::gen::exec([] { return PolicyScenario{*GenPolicyManifest(), *GenPolicyManifest()}; });
}

bool Bridged(const model::Vm& vm) {
  return vm.network.mode == model::NetworkMode::kOutbound || vm.network.mode == model::NetworkMode::kFull;
}

Strings Lines(const std::string& text) {
  Strings out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

const model::Bridge* BridgeOf(const model::Manifest& m, const model::Vm& vm) {
  for (const auto& b : m.bridges)
    if (b.doc.metadata.name == vm.network.bridge) return &b;
  return nullptr;
}

void ConvergeBoth(Harness& h, const PolicyScenario& s) {
  // As the other properties: generators.h's manifests are built, not parsed, and not all would validate
  // (a forward to an address no bridge holds); the policy blocks are ones the parser accepts.
  h.Converge(s.previous);
  h.Converge(s.manifest);
}

RC_GTEST_PROP(Policy, RulesExactlyOnceAndCollectedWhenStale, ()) {
  const PolicyScenario s = *GenPolicyScenario();
  Classify(s);
  Harness h;
  ConvergeBoth(h, s);
  RC_ASSERT(Pending(h.Plan(s.manifest)) == Strings{});
  RC_ASSERT(h.Leftovers(s.manifest) == Strings{});

  std::set<std::string> wanted;  // "vm/NAME" of every bridged VM
  for (const auto& vm : s.manifest.vms)
    if (Bridged(vm)) wanted.insert("vm/" + vm.doc.metadata.name);
  std::set<std::string> seen;
  std::map<std::string, std::string> owner_of;  // "ATTR LINE" of an element or a per-VM chain -> its group
  for (const auto& r : h.Observe().resources) {
    if (r.key.kind != lr::kNft || !r.key.name.starts_with("vm/")) continue;
    RC_ASSERT(wanted.count(r.key.name) == 1u);  // a stale VM's group is collected
    seen.insert(r.key.name);
    const std::string vm = r.key.name.substr(3);
    for (const auto& [attr, text] : r.attrs) {
      const Strings lines = Lines(text);
      if (attr == lr::kElements) {
        for (const auto& line : lines) {
          auto [it, fresh] = owner_of.emplace("element " + line, r.key.name);
          RC_ASSERT(fresh);  // no element twice, within a group or across groups
        }
        continue;
      }
      // A VM's own chains carry its name; each is written by its group only.
      if (attr.starts_with(lr::kInetPrefix) || attr.starts_with(lr::kBridgePrefix)) {
        RC_ASSERT(attr.ends_with("-" + vm));
        auto [it, fresh] = owner_of.emplace("chain " + attr, r.key.name);
        RC_ASSERT(fresh);
      }
    }
  }
  RC_ASSERT(seen == wanted);
}

RC_GTEST_PROP(Policy, ShownReachEqualsTheManifests, ()) {
  const PolicyScenario s = *GenPolicyScenario();
  Classify(s);
  Harness h;
  ConvergeBoth(h, s);
  std::map<std::string, reconciler::Resource> groups;
  for (auto& r : h.Observe().resources)
    if (r.key.kind == lr::kNft) groups.emplace(r.key.name, r);
  for (const auto& vm : s.manifest.vms) {
    if (!Bridged(vm)) continue;
    const model::Bridge* bridge = BridgeOf(s.manifest, vm);
    RC_ASSERT(bridge != nullptr);
    auto group = groups.find("vm/" + vm.doc.metadata.name);
    RC_ASSERT(group != groups.end());
    const auto shown = lr::ReachFromGroup(group->second);
    RC_ASSERT(shown.has_value());
    const model::EffectivePolicy wanted = lr::EffectivePolicyOf(vm, *bridge);
    RC_ASSERT(model::DescribeReach(*shown) == model::DescribeReach(wanted));
    // Neither wider nor narrower, as plan's widening check sees it.
    RC_ASSERT(model::Widenings(wanted, *shown) == Strings{});
    RC_ASSERT(model::Widenings(*shown, wanted) == Strings{});
  }
}

}  // namespace
}  // namespace berth::proptest
