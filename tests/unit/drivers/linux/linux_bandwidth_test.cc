// Rate limits on Linux: the tbf bucket arithmetic is a fixed point (what the kernel reports back compares equal
// to what berth wanted), the expansion puts egress on eth0 and ingress on tap0, a changed rate is an update of
// the qdisc alone, and the record codec takes exactly what the expansion emits.
#include "drivers/linux/platform/linux_bandwidth.h"

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/resource_spec.h"
#include "tests/unit/drivers/linux/vm_bandwidth_fixture.h"

namespace berth::reconciler {
namespace {

namespace lr = linux_res;

DesiredState Expand(const std::string& bandwidth) { return testing::ExpandVmWithBandwidth(bandwidth); }

TEST(LinuxBandwidth, TheBucketRoundTripsThroughTicks) {
  for (uint64_t rate : {1'000ull, 125'000ull, 2'000'000ull, 15'625'000ull, 125'000'000ull, 1'250'000'000'000ull}) {
    for (uint64_t burst : {1514ull, 1515ull, 32'768ull, 65'536ull, 1'000'000ull, 4'000'000ull}) {
      if (burst > rate * 4) continue;
      const uint64_t ticks = lr::TbfBufferTicks(burst, rate);
      const uint64_t kept = lr::TbfBurstBytes(ticks, rate);
      EXPECT_GE(kept, burst) << rate << " " << burst;  // never less than asked: a full frame still fits
      EXPECT_EQ(lr::TbfBufferTicks(kept, rate), ticks) << rate << " " << burst;
      EXPECT_EQ(lr::TbfBurstBytes(lr::TbfBufferTicks(kept, rate), rate), kept) << rate << " " << burst;
      EXPECT_LE(ticks * lr::kPschedTickNs, 0xffffffffull);
    }
  }
}

TEST(LinuxBandwidth, EgressOnEth0IngressOnTap0) {
  auto d = Expand("{egress: 16mbit, ingress: 8mbit, burst: 64kb}");
  const Resource* eth0 = d.Find({lr::kQdisc, "berth-vm1", "eth0"});
  const Resource* tap0 = d.Find({lr::kQdisc, "berth-vm1", "tap0"});
  ASSERT_TRUE(eth0 && tap0);
  EXPECT_EQ(eth0->AttrOr(lr::kRate), "16000000");
  EXPECT_EQ(tap0->AttrOr(lr::kRate), "8000000");
  EXPECT_EQ(eth0->AttrOr(lr::kBurst), "65536");
  EXPECT_FALSE(Expand("{ingress: 8mbit}").Find({lr::kQdisc, "berth-vm1", "eth0"}));
  EXPECT_FALSE(Expand("").Find({lr::kQdisc, "berth-vm1", "tap0"}));
}

TEST(LinuxBandwidth, ARateChangeUpdatesTheQdiscOnly) {
  auto before = Expand("{egress: 16mbit, ingress: 8mbit}");
  auto after = Expand("{egress: 24mbit, ingress: 8mbit}");
  auto platform = MakeLinuxPlatform();
  const std::vector<std::string> acted = testing::ActedBetween(before, after);
  EXPECT_EQ(acted, std::vector<std::string>{"qdisc:berth-vm1/eth0 update"});
  // A qdisc goes with its device.
  for (const auto& r : Expand("{egress: 16mbit}").resources)
    EXPECT_TRUE(r->key.kind != lr::kQdisc || platform->ContainerOf(*r)) << r->key.ToString();
}

TEST(LinuxBandwidth, TheCodecTakesWhatTheExpansionEmitsAndNothingElse) {
  for (const char* bw : {"{egress: 8kbit}", "{egress: 10tbit, ingress: 8kbit}", "{egress: 1.5gbit, burst: 1514}", "{egress: 10tbit, burst: 1gb}",
                         "{ingress: 100mbit, burst: 12mb}"})
    for (const auto& r : Expand(bw).resources) EXPECT_EQ(lr::LinuxRecordError(*r), std::nullopt) << bw << " " << r->key.ToString();
  auto bad = [](std::string scope, std::string dev, Attrs attrs) {
    Resource r;
    r.key = ResourceKey{lr::kQdisc, std::move(scope), std::move(dev)};
    r.attrs = std::move(attrs);
    return lr::LinuxRecordError(r);
  };
  const Attrs ok{{lr::kRate, "16000000"}, {lr::kBurst, "32768"}};
  EXPECT_EQ(bad("berth-vm1", "eth0", ok), std::nullopt);
  EXPECT_TRUE(bad("", "eth0", ok)) << "a qdisc on the host's own devices";
  EXPECT_TRUE(bad("foreign", "eth0", ok));
  EXPECT_TRUE(bad("berth-vm1", "lo", ok)) << "only the VM's two devices";
  EXPECT_TRUE(bad("berth-vm1", "eth0", {{lr::kRate, "16000000"}}));
  EXPECT_TRUE(bad("berth-vm1", "eth0", {{lr::kRate, "16000000"}, {lr::kBurst, "32768"}, {"peakrate", "1"}}));
  for (const char* rate : {"0", "7992", "16000001", "-8", "016000000", "1e9", "", "99999999999999999999"})
    EXPECT_TRUE(bad("berth-vm1", "eth0", {{lr::kRate, rate}, {lr::kBurst, "32768"}})) << rate;
  for (const char* burst : {"0", "1513", "4294967296", "x", "64kb", "032768"})
    EXPECT_TRUE(bad("berth-vm1", "eth0", {{lr::kRate, "16000000"}, {lr::kBurst, burst}})) << burst;
  // At 10 tbit/s one 64 ns tick is 80000 bytes: a million bytes is no bucket the kernel keeps, 1040000 is.
  EXPECT_TRUE(bad("berth-vm1", "eth0", {{lr::kRate, "10000000000000"}, {lr::kBurst, "1000000"}}));
  EXPECT_FALSE(bad("berth-vm1", "eth0", {{lr::kRate, "10000000000000"}, {lr::kBurst, "1040000"}}));
  // More than 4.29 s of traffic does not fit the kernel's bucket.
  EXPECT_TRUE(bad("berth-vm1", "eth0", {{lr::kRate, "8000"}, {lr::kBurst, "5000"}}));
}

}  // namespace
}  // namespace berth::reconciler
