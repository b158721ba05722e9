// The stored listings of berth's tables: a round trip keeps them byte for byte, and anything malformed, of
// another format or with a mistyped stamp is refused (the caller then lists again).
#include "drivers/linux/nft_listing_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace berth::drivers::lnx {
namespace {

class ListingCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-listing-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/nft-listing.json";
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  std::string dir_, path_;
};

TEST_F(ListingCacheTest, RoundTripKeepsEveryByte) {
  TableListings t;
  t.stamp = {"5b7c-boot", 0xfffffffffffffff0ull, 4294967295u};
  t.by_family["inet"] = std::string("table inet berth {\n\tchain x {\n\t\tip daddr \"q\\\" \" drop\n\t}\n}\n");
  t.by_family["bridge"] = std::nullopt;
  t.by_family["netdev"] = std::string("\n\n{\n");
  StoreTableListings(path_, t);
  auto back = LoadTableListings(path_);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
  t.foreign_drop_chains = std::vector<std::string>{"table ip filter chain FORWARD (policy drop)"};
  StoreTableListings(path_, t);
  back = LoadTableListings(path_);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
}

TEST_F(ListingCacheTest, MissingOrMalformedIsRefused) {
  EXPECT_FALSE(LoadTableListings(path_).has_value()) << "no file";
  const std::string head = R"({"format":2,"boot_id":"b","netns_cookie":7,"generation":3,)";
  const std::string good = head + R"("tables":{"bridge":null,"inet":5}})" + "\nhello";
  Write(good);
  auto t = LoadTableListings(path_);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->by_family["inet"], "hello");
  for (const std::string& bad : {
           good.substr(0, good.size() - 1),                                             // torn
           good + "x",                                                                  // longer than said
           head + R"("tables":{"inet":6}})" + "\nhello",                                // shorter than said
           head + R"("tables":{"inet":-1}})" + "\nhello",
           head + R"("tables":{"inet":"5"}})" + "\nhello",
           head + R"("tables":[]})" + "\n",
           head + R"("tables":{},"foreign_drop_chains":"x"})" + "\n",
           head + R"("tables":{},"foreign_drop_chains":[1]})" + "\n",
           std::string(R"({"format":1,"boot_id":"b","netns_cookie":7,"generation":3,"tables":{}})") + "\n",
           std::string(R"({"format":2,"boot_id":"b","netns_cookie":-7,"generation":3,"tables":{}})") + "\n",
           std::string(R"({"format":2,"boot_id":"b","netns_cookie":7,"generation":4294967296,"tables":{}})") + "\n",
           std::string(R"({"format":2,"boot_id":"b","netns_cookie":7,"generation":"3","tables":{}})") + "\n",
           std::string("[]\n"),
           std::string(""),
       }) {
    Write(bad);
    EXPECT_FALSE(LoadTableListings(path_).has_value()) << bad;
  }
}

TEST_F(ListingCacheTest, ListingsAreKeptByteForByteEvenWhenNotUtf8) {
  TableListings t;
  t.stamp = {"b", 1, 1};
  t.by_family["inet"] = std::string("comment \"\xff\xfe\"\n");
  StoreTableListings(path_, t);
  auto back = LoadTableListings(path_);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
}

TEST_F(ListingCacheTest, AnUnwritableDirectoryIsNoError) {
  TableListings t;
  t.stamp = {"b", 1, 1};
  StoreTableListings(dir_ + "/missing/nft-listing.json", t);
  EXPECT_FALSE(LoadTableListings(dir_ + "/missing/nft-listing.json").has_value());
}

}  // namespace
}  // namespace berth::drivers::lnx
