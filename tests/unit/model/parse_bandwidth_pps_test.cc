// spec.network.bandwidth.pps: whole packet rates per direction and a burst in packets, each bad value refused at
// its line and column; refused on the freebsd platform, whose dummynet pipes cannot count packets.
#include <gtest/gtest.h>

#include "model/parse_bandwidth.h"
#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::Docs;
using testing::Load;
using testing::Summaries;
using testing::VmDoc;
using Strings = std::vector<std::string>;

LoadResult LoadVm(const std::string& network_lines) { return Load(Docs({BridgeDoc(), VmDoc("vm1", "br0", network_lines)})); }

TEST(ParseBandwidthPps, TheBlockInAManifest) {
  auto r = LoadVm("    bandwidth: {egress: 200Mbit, pps: {egress: 20000, ingress: 5000, burst: 64}}\n");
  ASSERT_EQ(Summaries(r), Strings{});
  const auto& bw = r.manifest.vms.at(0).network.bandwidth;
  ASSERT_TRUE(bw);
  EXPECT_EQ(bw->egress_bits, 200'000'000u);
  EXPECT_EQ(bw->egress_pps, 20'000u);
  EXPECT_EQ(bw->ingress_pps, 5'000u);
  EXPECT_EQ(bw->pps_burst, 64u);
  ASSERT_TRUE(bw->pps_span);
  EXPECT_EQ(bw->pps_span->line, 15);
  // Packets alone, one direction.
  auto only = LoadVm("    bandwidth: {pps: {ingress: 1}}\n");
  ASSERT_EQ(Summaries(only), Strings{});
  EXPECT_FALSE(only.manifest.vms.at(0).network.bandwidth->egress_bits);
  EXPECT_FALSE(only.manifest.vms.at(0).network.bandwidth->egress_pps);
  EXPECT_EQ(PpsBurst(*only.manifest.vms.at(0).network.bandwidth, 1), kMinDefaultPpsBurst);
  EXPECT_EQ(PpsBurst(Bandwidth{}, 100'000), 1000u);  // 10 ms
  EXPECT_EQ(PpsBurst(Bandwidth{}, kMaxPps), kMaxPpsBurst);
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {egress: 1000000000, burst: 1000000}}\n")), Strings{});
}

TEST(ParseBandwidthPps, ErrorsPointAtTheValue) {
  // Lines: 1-6 bridge, 7 ---, 8-11 VM header, 12 spec, 13 network, 14 bridge, 15 bandwidth.
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {egress: 0}}\n")), Strings{"out-of-range spec.network.bandwidth.pps.egress 15:31"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {egress: -5}}\n")), Strings{"out-of-range spec.network.bandwidth.pps.egress 15:31"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {egress: 1000000001}}\n")),
            Strings{"out-of-range spec.network.bandwidth.pps.egress 15:31"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {egress: 99999999999999999999999}}\n")).size(), 1u);
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {ingress: 10, burst: 0}}\n")),
            Strings{"out-of-range spec.network.bandwidth.pps.burst 15:43"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {ingress: 10, burst: 1000001}}\n")),
            Strings{"out-of-range spec.network.bandwidth.pps.burst 15:43"});
  // No unit guessing: "20k", a quoted number, a fraction, an exponent.
  for (const char* bad : {"20k", "\"20000\"", "2.5", "2e4", "20kpps", "[1]", "{a: 1}", "true"})
    EXPECT_EQ(Summaries(LoadVm(std::string("    bandwidth: {pps: {egress: ") + bad + "}}\n")).size(), 1u) << bad;
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {}}\n")), Strings{"missing-field spec.network.bandwidth.pps 15:17"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {burst: 10}}\n")), Strings{"missing-field spec.network.bandwidth.pps 15:17"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: 20000}\n")), Strings{"wrong-type spec.network.bandwidth.pps 15:22"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {pps: {egress: 10, rate: 5}}\n")),
            Strings{"unknown-field spec.network.bandwidth.pps.rate 15:35"});
  // A burst in bytes shapes the bit rates; with packets only it would be silently unused.
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {burst: 64kb, pps: {egress: 10}}\n")),
            Strings{"unused-field spec.network.bandwidth.burst 15:24"});
}

TEST(ParseBandwidthPps, TheFreeBsdPlatformRefusesAPacketRate) {
  const std::string jail = R"(apiVersion: berth/v1
kind: Jail
metadata: {name: web}
spec:
  path: /usr/local/jails/web
  network:
    interfaces: [{name: vnet0, bridge: br0, address: 10.168.0.10/24}]
    bandwidth: {egress: 8mbit, pps: {egress: 1000}}
)";
  LoadOptions options;
  options.platform = "freebsd";
  auto r = Load(Docs({BridgeDoc(), jail}), options);
  ASSERT_EQ(Summaries(r), Strings{"pps-not-on-platform spec.network.bandwidth.pps 15:32"});
  EXPECT_NE(r.diagnostics[0].summary.find("dummynet"), std::string::npos) << r.diagnostics[0].summary;
  // Bits alone are fine there.
  const std::string bits = jail.substr(0, jail.find(", pps")) + "}\n";
  EXPECT_EQ(Summaries(Load(Docs({BridgeDoc(), bits}), options)), Strings{});
}

}  // namespace
}  // namespace berth::model
