// spec.network.bandwidth: tc's units read exactly, every malformed, zero, tiny or huge value refused at its
// line and column, and nothing rounded behind the user's back.
#include "model/parse_bandwidth.h"

#include <gtest/gtest.h>

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

std::optional<uint64_t> Rate(std::string_view text) {
  std::string why;
  return ParseRateText(text, why);
}
std::optional<uint64_t> Size(std::string_view text) {
  std::string why;
  return ParseSizeText(text, why);
}

TEST(ParseBandwidth, RatesInTcUnitsAnyCase) {
  EXPECT_EQ(Rate("200mbit"), 200'000'000u);
  EXPECT_EQ(Rate("200Mbit"), 200'000'000u);
  EXPECT_EQ(Rate("200MBIT"), 200'000'000u);  // tc compares units with strcasecmp
  EXPECT_EQ(Rate("1.5gbit"), 1'500'000'000u);
  EXPECT_EQ(Rate("8kbit"), 8'000u);
  EXPECT_EQ(Rate("8000bit"), 8'000u);
  EXPECT_EQ(Rate("1mibit"), 1'048'576u);
  EXPECT_EQ(Rate("10tbit"), 10'000'000'000'000u);
}

TEST(ParseBandwidth, RatesRefused) {
  for (const char* bad : {"0mbit", "0", "1bit", "7999bit", "200", "200mbps", "200MBps", "25bps", "200 mbit", "mbit",
                          "-5mbit", "+5mbit", "1e6bit", "0x10mbit", "1.mbit", ".5mbit", "1.0000001kbit", "10001bit",
                          "11tbit", "99999999999999999999999999tbit", "18446744073709551616bit", "200mbitx", "", "1,5mbit"})
    EXPECT_FALSE(Rate(bad)) << bad;
  std::string why;
  ParseRateText("100mbps", why);
  EXPECT_NE(why.find("megabytes"), std::string::npos) << why;
}

TEST(ParseBandwidth, SizesInBytes) {
  EXPECT_EQ(Size("1514"), 1514u);
  EXPECT_EQ(Size("64kb"), 65536u);
  EXPECT_EQ(Size("64K"), 65536u);
  EXPECT_EQ(Size("1mb"), 1048576u);
  EXPECT_EQ(Size("1.5kb"), 1536u);
  EXPECT_EQ(Size("1gb"), 1073741824u);
  for (const char* bad : {"4gb", "64kbit", "1.1b", "abc", "", "-1", "5gb", "1073741825"}) EXPECT_FALSE(Size(bad)) << bad;
}

TEST(ParseBandwidth, FormatRateAsTcPrintsIt) {
  EXPECT_EQ(FormatRate(200'000'000), "200Mbit");
  EXPECT_EQ(FormatRate(1'500'000'000), "1500Mbit");
  EXPECT_EQ(FormatRate(8'000), "8Kbit");
  EXPECT_EQ(FormatRate(1'048'576), "1048576bit");
}

TEST(ParseBandwidth, TheBlockInAManifest) {
  auto r = LoadVm("    bandwidth: {egress: 200Mbit, ingress: 50mbit, burst: 64kb}\n");
  ASSERT_EQ(Summaries(r), Strings{});
  const auto& bw = r.manifest.vms.at(0).network.bandwidth;
  ASSERT_TRUE(bw);
  EXPECT_EQ(bw->egress_bits, 200'000'000u);
  EXPECT_EQ(bw->ingress_bits, 50'000'000u);
  EXPECT_EQ(bw->burst_bytes, 65536u);
  auto one = LoadVm("    bandwidth: {ingress: 8mbit}\n");
  ASSERT_EQ(Summaries(one), Strings{});
  EXPECT_FALSE(one.manifest.vms.at(0).network.bandwidth->egress_bits);
  EXPECT_EQ(BandwidthBurst(*one.manifest.vms.at(0).network.bandwidth, 8'000'000), 32768u);  // 10 ms is less
  EXPECT_EQ(BandwidthBurst(Bandwidth{}, 8'000), 4000u);  // at most 4 s of traffic
  EXPECT_EQ(BandwidthBurst(Bandwidth{}, 10'000'000'000), 12'500'000u);  // 10 ms
  EXPECT_EQ(BandwidthBurst(Bandwidth{}, kMaxRateBits), kMaxBurstBytes);
}

TEST(ParseBandwidth, ErrorsPointAtTheValue) {
  // Lines: 1-6 bridge, 7 ---, 8-11 VM header, 12 spec, 13 network, 14 bridge, 15 bandwidth.
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 0mbit}\n")), Strings{"invalid-rate spec.network.bandwidth.egress 15:25"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 100}\n")), Strings{"invalid-rate spec.network.bandwidth.egress 15:25"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {}\n")), Strings{"missing-field spec.network.bandwidth 15:5"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {burst: 64kb}\n")), Strings{"missing-field spec.network.bandwidth 15:5"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 1gbit, burst: 1000}\n")),
            Strings{"out-of-range spec.network.bandwidth.burst 15:39"});
  // 4 s at 8 kbit/s is 4000 bytes.
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 8kbit, burst: 4001}\n")),
            Strings{"out-of-range spec.network.bandwidth.burst 15:39"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 8kbit, burst: 4000}\n")), Strings{});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 1mbit, pss: 10}\n")), Strings{"unknown-field spec.network.bandwidth.pss 15:32"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: [1mbit]\n")), Strings{"wrong-type spec.network.bandwidth 15:5"});
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: [1mbit]}\n")), Strings{"wrong-type spec.network.bandwidth.egress 15:17"});
  // Two errors, both reported.
  EXPECT_EQ(Summaries(LoadVm("    bandwidth: {egress: 5mbps, ingress: 3}\n")).size(), 2u);
}

}  // namespace
}  // namespace berth::model
