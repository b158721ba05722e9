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
  StoreTableListings(path_, t);
  auto back = LoadTableListings(path_);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
}

TEST_F(ListingCacheTest, MissingOrMalformedIsRefused) {
  EXPECT_FALSE(LoadTableListings(path_).has_value()) << "no file";
  const std::string good =
      R"({"format":1,"boot_id":"b","netns_cookie":7,"generation":3,"tables":{"inet":"x","bridge":null}})";
  Write(good);
  ASSERT_TRUE(LoadTableListings(path_).has_value());
  for (const std::string& bad : {
           good.substr(0, good.size() / 2),                                                      // torn
           std::string(R"({"format":2,"boot_id":"b","netns_cookie":7,"generation":3,"tables":{}})"),  // newer format
           std::string(R"({"format":1,"boot_id":"b","netns_cookie":-7,"generation":3,"tables":{}})"),
           std::string(R"({"format":1,"boot_id":"b","netns_cookie":7,"generation":4294967296,"tables":{}})"),
           std::string(R"({"format":1,"boot_id":"b","netns_cookie":7,"generation":"3","tables":{}})"),
           std::string(R"({"format":1,"boot_id":"b","netns_cookie":7,"generation":3,"tables":{"inet":1}})"),
           std::string(R"({"format":1,"boot_id":"b","netns_cookie":7,"generation":3,"tables":[]})"),
           good + "garbage",
           std::string("[]"),
       }) {
    Write(bad);
    EXPECT_FALSE(LoadTableListings(path_).has_value()) << bad;
  }
}

TEST_F(ListingCacheTest, AListingThatIsNotUtf8IsNotStored) {
  TableListings t;
  t.stamp = {"b", 1, 1};
  t.by_family["inet"] = std::string("comment \"\xff\xfe\"");
  StoreTableListings(path_, t);
  EXPECT_FALSE(LoadTableListings(path_).has_value()) << "it would not come back the same";
}

TEST_F(ListingCacheTest, AnUnwritableDirectoryIsNoError) {
  TableListings t;
  t.stamp = {"b", 1, 1};
  StoreTableListings(dir_ + "/missing/nft-listing.json", t);
  EXPECT_FALSE(LoadTableListings(dir_ + "/missing/nft-listing.json").has_value());
}

}  // namespace
}  // namespace berth::drivers::lnx
