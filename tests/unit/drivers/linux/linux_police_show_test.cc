// What `berth show` and the launcher's result file say about packet rates: read back from police records (egress
// from tap0's policer, ingress from eth0's), beside or without the bit rates.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "drivers/linux/platform/linux_launch_record.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_show.h"

namespace berth::reconciler {
namespace {

namespace lr = linux_res;

Resource Make(const char* kind, std::string scope, std::string name, Attrs attrs) {
  Resource r;
  r.key = ResourceKey{kind, std::move(scope), std::move(name)};
  r.attrs = std::move(attrs);
  r.ownership = Ownership::kOwned;
  return r;
}

ObservedState Observed() {
  ObservedState o;
  o.resources.push_back(Make(lr::kNetns, "", "berth-vm1", {}));
  o.resources.push_back(Make(lr::kLink, "berth-vm1", "tap0", {{lr::kType, "tap"}, {lr::kUp, "true"}}));
  o.resources.push_back(Make(lr::kQdisc, "berth-vm1", "eth0", {{lr::kRate, "16000000"}, {lr::kBurst, "32768"}}));
  o.resources.push_back(Make(lr::kPolice, "berth-vm1", "tap0", {{lr::kPktRate, "2000"}, {lr::kPktBurst, "20"}}));
  o.resources.push_back(Make(lr::kPolice, "berth-vm1", "eth0", {{lr::kPktRate, "1000"}, {lr::kPktBurst, "10"}}));
  o.Sort();
  return o;
}

TEST(LinuxPoliceShow, EachDirectionCarriesItsPacketRate) {
  auto vms = lr::DescribeVms(Observed(), {}, "/run/netns");
  ASSERT_EQ(vms.size(), 1u);
  ASSERT_TRUE(vms[0].egress && vms[0].ingress);
  EXPECT_EQ(vms[0].egress->rate_bits, 16'000'000u);
  EXPECT_EQ(vms[0].egress->pps, 2000u);
  EXPECT_EQ(vms[0].ingress->rate_bits, 0u);
  EXPECT_EQ(vms[0].ingress->pps, 1000u);
  EXPECT_EQ(lr::DescribeRateLimit(*vms[0].egress), "16Mbit burst 32768b, 2000pps burst 20 packets");
  EXPECT_EQ(lr::DescribeRateLimit(*vms[0].ingress), "1000pps burst 10 packets");
}

TEST(LinuxPoliceShow, TheResultFileCarriesPacketRatesBesideBitRates) {
  auto records = lr::LinuxLaunchRecords(Observed(), {}, "/run/netns");
  ASSERT_EQ(records.size(), 1u);
  auto j = nlohmann::json::parse(records[0].json);
  EXPECT_EQ(j["bandwidth"]["egress"], (nlohmann::json{{"rate_bits", 16000000}, {"burst_bytes", 32768}, {"pps", 2000}, {"pkt_burst", 20}}));
  EXPECT_EQ(j["bandwidth"]["ingress"], (nlohmann::json{{"pps", 1000}, {"pkt_burst", 10}}));
}

}  // namespace
}  // namespace berth::reconciler
