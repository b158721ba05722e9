// Packet rates on Linux: the police bucket arithmetic is a fixed point, the expansion polices egress on tap0 and
// ingress on eth0 (where each direction arrives), a changed rate is an update of the policer alone, and the
// record codec takes exactly what the expansion emits.
#include "drivers/linux/platform/linux_police.h"

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/resource_spec.h"
#include "model/load.h"
#include "model/parse_bandwidth.h"
#include "reconciler/diff.h"
#include "reconciler/ipam.h"

namespace berth::reconciler {
namespace {

namespace lr = linux_res;

DesiredState Expand(const std::string& bandwidth) {
  const std::string yaml =
      "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: br0}\nspec: {address: 10.168.0.1/24}\n---\n"
      "apiVersion: berth/v1\nkind: VM\nmetadata: {name: vm1}\nspec:\n  network: {bridge: br0" +
      (bandwidth.empty() ? "" : ", bandwidth: " + bandwidth) + "}\n";
  auto loaded = model::LoadManifestText(yaml, "test.yaml", {});
  EXPECT_TRUE(loaded.diagnostics.empty()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString());
  return lr::ExpandLinux(loaded.manifest, Allocate(loaded.manifest, {}).allocations);
}

TEST(LinuxPolice, TheBucketRoundTripsThroughTicks) {
  for (uint64_t pps : {1ull, 7ull, 1000ull, 15'625'000ull, 33'000'000ull, 1'000'000'000ull}) {
    for (uint64_t packets : {1ull, 2ull, 8ull, 1000ull, 999'999ull, 1'000'000ull}) {
      const uint64_t ticks = lr::PoliceBurstTicks(packets, pps);
      const uint64_t kept = lr::PoliceBurstPackets(ticks, pps);
      EXPECT_GE(kept, packets) << pps << " " << packets;  // never less than asked: one packet always passes
      EXPECT_EQ(lr::PoliceBurstTicks(kept, pps), ticks) << pps << " " << packets;
      EXPECT_EQ(lr::PoliceBurstPackets(lr::PoliceBurstTicks(kept, pps), pps), kept);
    }
  }
}

TEST(LinuxPolice, EgressOnTap0IngressOnEth0) {
  auto d = Expand("{pps: {egress: 2000, ingress: 1000, burst: 20}}");
  const Resource* tap0 = d.Find({lr::kPolice, "berth-vm1", "tap0"});
  const Resource* eth0 = d.Find({lr::kPolice, "berth-vm1", "eth0"});
  ASSERT_TRUE(tap0 && eth0);
  EXPECT_EQ(tap0->AttrOr(lr::kPktRate), "2000");
  EXPECT_EQ(eth0->AttrOr(lr::kPktRate), "1000");
  EXPECT_EQ(tap0->AttrOr(lr::kPktBurst), "20");
  EXPECT_FALSE(d.Find({lr::kQdisc, "berth-vm1", "tap0"})) << "no bit rate, no tbf";
  // The default burst: 10 ms at the rate, at least 8 packets.
  EXPECT_EQ(Expand("{pps: {egress: 100000}}").Find({lr::kPolice, "berth-vm1", "tap0"})->AttrOr(lr::kPktBurst), "1000");
  EXPECT_EQ(Expand("{pps: {egress: 100}}").Find({lr::kPolice, "berth-vm1", "tap0"})->AttrOr(lr::kPktBurst), "8");
  EXPECT_FALSE(Expand("{pps: {ingress: 10}}").Find({lr::kPolice, "berth-vm1", "tap0"}));
  auto both = Expand("{egress: 16mbit, pps: {egress: 2000}}");
  EXPECT_TRUE(both.Find({lr::kQdisc, "berth-vm1", "eth0"}));
  EXPECT_TRUE(both.Find({lr::kPolice, "berth-vm1", "tap0"}));
}

TEST(LinuxPolice, ARateChangeUpdatesThePolicerOnlyAndItGoesWithItsDevice) {
  auto before = Expand("{egress: 16mbit, pps: {egress: 2000, ingress: 1000}}");
  auto after = Expand("{egress: 16mbit, pps: {egress: 3000, ingress: 1000}}");
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
  EXPECT_EQ(acted, std::vector<std::string>{"police:berth-vm1/tap0 update"});
  for (const auto& r : after.resources) {
    if (r->key.kind != lr::kPolice) continue;
    EXPECT_TRUE(platform->ContainerOf(*r)) << r->key.ToString();
    auto deps = platform->DependenciesOf(*r);
    EXPECT_NE(std::find(deps.begin(), deps.end(), ResourceKey{lr::kTc, r->key.scope, r->key.name}), deps.end())
        << "the policer goes on the redirect's ingress hook, after it";
  }
}

TEST(LinuxPolice, TheCodecTakesWhatTheExpansionEmitsAndNothingElse) {
  for (const char* bw : {"{pps: {egress: 1}}", "{pps: {egress: 1000000000, ingress: 1, burst: 1000000}}",
                         "{pps: {ingress: 33000000, burst: 1}}", "{egress: 8kbit, pps: {egress: 7, burst: 3}}"})
    for (const auto& r : Expand(bw).resources) EXPECT_EQ(lr::LinuxRecordError(*r), std::nullopt) << bw << " " << r->key.ToString();
  auto bad = [](std::string scope, std::string dev, Attrs attrs) {
    Resource r;
    r.key = ResourceKey{lr::kPolice, std::move(scope), std::move(dev)};
    r.attrs = std::move(attrs);
    return lr::LinuxRecordError(r);
  };
  const Attrs ok{{lr::kPktRate, "2000"}, {lr::kPktBurst, "20"}};
  EXPECT_EQ(bad("berth-vm1", "tap0", ok), std::nullopt);
  EXPECT_TRUE(bad("", "tap0", ok)) << "a policer on the host's own devices";
  EXPECT_TRUE(bad("foreign", "tap0", ok));
  EXPECT_TRUE(bad("berth-vm1", "lo", ok)) << "only the VM's two devices";
  EXPECT_TRUE(bad("berth-vm1", "bv-vm1", ok));
  EXPECT_TRUE(bad("berth-vm1", "tap0", {{lr::kPktRate, "2000"}}));
  EXPECT_TRUE(bad("berth-vm1", "tap0", {{lr::kPktRate, "2000"}, {lr::kPktBurst, "20"}, {"action", "pass"}}));
  for (const char* rate : {"0", "-1", "02000", "1e3", "", "1000000001", "99999999999999999999", "2000 "})
    EXPECT_TRUE(bad("berth-vm1", "tap0", {{lr::kPktRate, rate}, {lr::kPktBurst, "20"}})) << rate;
  for (const char* burst : {"0", "x", "020", "1000001", "-20"})
    EXPECT_TRUE(bad("berth-vm1", "tap0", {{lr::kPktRate, "2000"}, {lr::kPktBurst, burst}})) << burst;
  // At 10^9 pps one 64 ns tick is 64 packets: 20 is no bucket the kernel keeps, 64 is.
  EXPECT_TRUE(bad("berth-vm1", "tap0", {{lr::kPktRate, "1000000000"}, {lr::kPktBurst, "20"}}));
  EXPECT_FALSE(bad("berth-vm1", "tap0", {{lr::kPktRate, "1000000000"}, {lr::kPktBurst, "64"}}));
}

}  // namespace
}  // namespace berth::reconciler
