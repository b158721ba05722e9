// The Linux driver's nftables text, without root: parsing the listing of berth's tables into rule groups and
// rendering the whole rewrite (tables inet berth and bridge berth) from them.
#include "drivers/linux/nft.h"

#include <gtest/gtest.h>

namespace berth::drivers::lnx {
namespace {

constexpr const char* kListing = R"(table inet berth {
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "bv-vm1" ip saddr 10.168.0.2 accept comment "berth:vm/vm1"
		ct state established,related accept comment "berth:vm/vm1"
		counter packets 0 bytes 0 accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.168.0.0/24 oifname "eth0" masquerade comment "berth:nat/out"
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
	}
}
)";

TEST(NftListing, GroupsRulesByTheirBerthComment) {
  NftTableState st = ParseNftListing(kListing);
  EXPECT_TRUE(st.exists);
  ASSERT_EQ(st.groups.size(), 2u);  // the uncommented rule is not berth's: the next rewrite drops it
  EXPECT_EQ(st.groups["vm/vm1"]["forward"],
            (std::vector<std::string>{"iifname \"bv-vm1\" ip saddr 10.168.0.2 accept",
                                      "ct state established,related accept"}));
  EXPECT_EQ(st.groups["nat/out"]["postrouting"],
            (std::vector<std::string>{"ip saddr 10.168.0.0/24 oifname \"eth0\" masquerade"}));
  EXPECT_EQ(st.chains["forward"], "type filter hook forward priority filter; policy accept;");
}

TEST(NftListing, HandlesInTheListingChangeNothing) {
  // The driver lists with handles (nft -a) for its in-place updates: every "# handle N" is read past.
  std::string with_handles;
  int handle = 1;
  for (size_t at = 0, end; (end = std::string_view(kListing).find('\n', at)) != std::string_view::npos; at = end + 1) {
    std::string line(kListing + at, end - at);
    const bool handled = line.ends_with("{") || (line.find("type ") == std::string::npos && line != "\t}" &&
                                                 line != "}" && !line.empty());
    with_handles += line + (handled ? " # handle " + std::to_string(handle++) : "") + "\n";
  }
  ASSERT_NE(with_handles.find("berth:vm/vm1\" # handle "), std::string::npos) << with_handles;
  const NftTableState a = ParseNftListing(kListing), b = ParseNftListing(with_handles);
  EXPECT_EQ(a.groups, b.groups);
  EXPECT_EQ(a.chains, b.chains);
}

/// Reads a rewrite back as observation does: each of berth's tables from its own listing.
NftTableState ReadBack(const std::string& rewrite) {
  const size_t inet = rewrite.find("table inet berth {"), bridge = rewrite.find("table bridge berth {");
  NftTableState st;
  ParseNftListingInto(rewrite.substr(inet, bridge == std::string::npos ? std::string::npos : bridge - inet), "inet", st);
  if (bridge != std::string::npos) ParseNftListingInto(rewrite.substr(bridge), "bridge", st);
  return st;
}

TEST(NftListing, BerthsOwnChainsReadBackAsExpected) {
  // A listing of both of berth's tables as the kernel gives them back after a rewrite.
  const std::string rewrite = RenderNftTable(ParseNftListing(kListing));
  EXPECT_EQ(NftChainsAttr(ReadBack(rewrite)), ExpectedNftChains());
  NftTableState st = ReadBack(rewrite);
  st.chains["forward"] = "type filter hook forward priority filter; policy drop;";  // someone changed it
  EXPECT_NE(NftChainsAttr(st), ExpectedNftChains());
  // A listing with only some of berth's chains (an older berth's table) does not read as expected.
  EXPECT_NE(NftChainsAttr(ParseNftListing(kListing)), ExpectedNftChains());
}

TEST(NftListing, RenderedRewriteReadsBackToTheSameGroups) {
  NftTableState st = ParseNftListing(kListing);
  const std::string rewrite = RenderNftTable(st);
  ASSERT_TRUE(rewrite.starts_with("add table inet berth\ndelete table inet berth\n")) << rewrite;
  ASSERT_NE(rewrite.find("table inet berth {\n"), std::string::npos) << rewrite;
  // The rewrite is a listing too (after its table commands): it parses back to what it was made from.
  NftTableState back = ReadBack(rewrite);
  EXPECT_EQ(back.groups, st.groups);
  EXPECT_EQ(NftChainsAttr(back), ExpectedNftChains());
}

TEST(NftListing, AnAbsentTableIsOnlyDeleted) {
  NftTableState gone;
  gone.exists = false;
  EXPECT_EQ(RenderNftTable(gone),
            "add table inet berth\ndelete table inet berth\nadd table bridge berth\ndelete table bridge berth\n");
}

}  // namespace
}  // namespace berth::drivers::lnx
