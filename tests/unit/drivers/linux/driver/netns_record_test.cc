// The netns record (netns_record.h): intent recorded before creation, forgotten after deletion, seeded from the
// berth- namespaces present when a state directory has no record yet; a corrupt record is an error.
#include "drivers/linux/netns_record.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace berth::drivers::lnx {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "berth-netns-record-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::set<std::string> Recorded(const std::string& dir) {
  auto r = LoadNetnsRecord(dir);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
  return r->value_or(std::set<std::string>{});
}

TEST(NetnsRecord, NoRecordYetMeansEveryBerthNetnsCounts) {
  TempDir t;
  auto r = LoadNetnsRecord(t.path.string());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(NetnsRecord, AFirstRecordStartsFromWhatIsPresentThenTracksCreationsAndDeletions) {
  TempDir t;
  const std::string dir = (t.path / "state").string();
  ASSERT_TRUE(UpdateNetnsRecord(dir, {"berth-new"}, {}, {"berth-old"}).ok());
  EXPECT_EQ(Recorded(dir), (std::set<std::string>{"berth-new", "berth-old"}));
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::all, fs::perms::owner_all);
  // Deleted, and gone by other means (not present any more): both forgotten.
  ASSERT_TRUE(UpdateNetnsRecord(dir, {}, {"berth-new"}, {"berth-new"}).ok());
  EXPECT_EQ(Recorded(dir), std::set<std::string>{});
  // An operator's berth- netns present later is not seeded into an existing record.
  ASSERT_TRUE(UpdateNetnsRecord(dir, {"berth-a"}, {}, {"berth-opr"}).ok());
  EXPECT_EQ(Recorded(dir), std::set<std::string>{"berth-a"});
}

TEST(NetnsRecord, ACorruptRecordIsAnErrorNamingTheFile) {
  TempDir t;
  for (const char* text : {"{\"version\": 1, \"created\": [3]}", "[]", "{\"version\": 2, \"created\": []}", "{"}) {
    std::ofstream(t.path / kNetnsRecordFile) << text;
    auto r = LoadNetnsRecord(t.path.string());
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().message.find("netns.json"), std::string::npos) << r.error().message;
    EXPECT_FALSE(UpdateNetnsRecord(t.path.string(), {"berth-x"}, {}, {}).ok()) << text;
  }
}

}  // namespace
}  // namespace berth::drivers::lnx
