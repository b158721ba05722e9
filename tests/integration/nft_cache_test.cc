// The listing of berth's nftables tables kept in the state dir (drivers/linux/nft_listing_cache.h): reused by
// the next process while nothing changed, never once anybody changed the ruleset, and a damaged file is only a
// miss.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/sandbox-policy";

class NftCacheTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    auto r = berth_.Run("apply -f " + kExample);
    ASSERT_EQ(r.status, 0) << r.out;
    cache_ = berth_.state() + "/nft-listing.json";
  }
  int Plan() {
    auto r = berth_.Run("plan --detailed-exitcode -f " + kExample);
    EXPECT_TRUE(r.status == 0 || r.status == 2) << r.out;
    return r.status;
  }
  std::string Read() {
    std::ifstream in(cache_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  /// Marks the kept file with a key its reader ignores: the mark survives as long as no process stores a new
  /// listing (which it does whenever it had to list). False when there is no file.
  bool Mark() {
    const std::string text = Read();
    const size_t eol = text.find('\n');
    if (eol == std::string::npos) return false;
    auto header = nlohmann::json::parse(text.substr(0, eol), nullptr, false);
    if (!header.is_object()) return false;
    header["test_mark"] = true;
    std::ofstream(cache_, std::ios::binary | std::ios::trunc) << header.dump() << text.substr(eol);
    return true;
  }
  bool Marked() { return Read().find("\"test_mark\"") != std::string::npos; }
  BerthCli berth_;
  std::string cache_;
};

TEST_F(NftCacheTest, ReusedWhileUnchangedAndNeverAfterAForeignChange) {
  ASSERT_EQ(Plan(), 0);
  ASSERT_TRUE(Mark()) << "no listing kept in the state dir";
  ASSERT_EQ(Plan(), 0);
  EXPECT_TRUE(Marked()) << "the next process listed again although nothing changed";
  // Someone else edits berth's table: the generation moves, the kept listing is not used.
  ASSERT_EQ(Sh("nft flush chain bridge berth port-sbx-worker").status, 0);
  EXPECT_EQ(Plan(), 2) << "the drift was hidden by the kept listing";
  EXPECT_FALSE(Marked());
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  EXPECT_EQ(Plan(), 0);
  // A change elsewhere in the ruleset moves the generation too; the listing is read again, still no change.
  ASSERT_TRUE(Mark());
  ASSERT_EQ(Sh("nft add table ip somebody").status, 0);
  EXPECT_EQ(Plan(), 0);
  EXPECT_FALSE(Marked()) << "a foreign change did not make the next process list again";
}

TEST_F(NftCacheTest, ADamagedFileIsAMiss) {
  ASSERT_EQ(Plan(), 0);
  std::string text;
  {
    std::ifstream in(cache_);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(text.empty());
  // Torn in the middle of the rules: the header's lengths no longer match.
  std::ofstream(cache_, std::ios::trunc) << text.substr(0, text.size() / 2);
  ASSERT_EQ(Sh("nft flush chain bridge berth port-sbx-worker").status, 0);
  EXPECT_EQ(Plan(), 2);
  std::ofstream(cache_, std::ios::trunc) << "not json\n";
  EXPECT_EQ(Plan(), 2);
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  EXPECT_EQ(Plan(), 0);
}

}  // namespace
}  // namespace berth::itest
