// The Linux driver's nftables text, without root: parsing `nft list table inet berth` into rule groups and
// rendering the whole-table rewrite from them.
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

TEST(NftListing, BerthsOwnChainsReadBackAsExpected) {
  EXPECT_EQ(NftChainsAttr(ParseNftListing(kListing)), ExpectedNftChains());
  NftTableState st = ParseNftListing(kListing);
  st.chains["forward"] = "type filter hook forward priority filter; policy drop;";  // someone changed it
  EXPECT_NE(NftChainsAttr(st), ExpectedNftChains());
}

TEST(NftListing, RenderedRewriteReadsBackToTheSameGroups) {
  NftTableState st = ParseNftListing(kListing);
  const std::string rewrite = RenderNftTable(st);
  ASSERT_TRUE(rewrite.starts_with("add table inet berth\ndelete table inet berth\ntable inet berth {\n"));
  // The rewrite is a listing too (after its two table commands): it parses back to what it was made from.
  NftTableState back = ParseNftListing(rewrite.substr(rewrite.find("table inet berth {")));
  EXPECT_EQ(back.groups, st.groups);
  EXPECT_EQ(NftChainsAttr(back), ExpectedNftChains());
}

TEST(NftListing, AnAbsentTableIsOnlyDeleted) {
  NftTableState gone;
  gone.exists = false;
  EXPECT_EQ(RenderNftTable(gone), "add table inet berth\ndelete table inet berth\n");
}

}  // namespace
}  // namespace berth::drivers::lnx
