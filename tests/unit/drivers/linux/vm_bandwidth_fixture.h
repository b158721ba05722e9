// The Linux expansion of a bridge and a VM vm1 with a given spec.network.bandwidth, and what the diff does
// between two such expansions when the first is on the host: the bit-rate and packet-rate tests share them.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_platform.h"
#include "model/load.h"
#include "reconciler/diff.h"
#include "reconciler/ipam.h"

namespace berth::reconciler::testing {

/// `bandwidth` is the block's YAML flow text ("{egress: 16mbit}"); empty: no block.
inline DesiredState ExpandVmWithBandwidth(const std::string& bandwidth) {
  const std::string yaml =
      "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: br0}\nspec: {address: 10.168.0.1/24}\n---\n"
      "apiVersion: berth/v1\nkind: VM\nmetadata: {name: vm1}\nspec:\n  network: {bridge: br0" +
      (bandwidth.empty() ? "" : ", bandwidth: " + bandwidth) + "}\n";
  auto loaded = model::LoadManifestText(yaml, "test.yaml", {});
  EXPECT_TRUE(loaded.diagnostics.empty()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString());
  return linux_res::ExpandLinux(loaded.manifest, Allocate(loaded.manifest, {}).allocations);
}

/// "KEY ACTION" for every change but no-ops, with `before` observed as berth's own.
inline std::vector<std::string> ActedBetween(const DesiredState& before, const DesiredState& after) {
  auto platform = MakeLinuxPlatform();
  ObservedState observed;
  for (const auto& r : before.resources) {
    Resource copy = *r;
    copy.provenance = {};
    copy.ownership = Ownership::kOwned;
    observed.resources.push_back(copy);
  }
  observed.Sort();
  auto changes = ComputeDiff(*platform, after, observed, ManifestIds{{"Bridge/br0", "VM/vm1"}, {"Bridge/br0", "VM/vm1"}});
  std::vector<std::string> acted;
  for (const auto& c : changes.changes)
    if (c.action != ChangeAction::kNoOp) acted.push_back(c.key().ToString() + " " + ToString(c.action));
  return acted;
}

}  // namespace berth::reconciler::testing
