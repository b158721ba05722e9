// Hostile inputs to the manifest loader: every one is an error with its location, never an abort or a hang.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/load.h"
#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

namespace fs = std::filesystem;
using testing::BridgeDoc;

LoadOptions AllowUnsafe() {
  LoadOptions o;
  o.allow_unsafe_paths = true;
  return o;
}

class LoadHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("berth-hostile-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    fs::permissions(root_, fs::perms(0700));
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name) << text;
    fs::permissions(root_ / name, fs::perms(0644));
  }
  /// "code summary" of the one diagnostic expected.
  std::string OnlyDiagnostic(const LoadResult& r) {
    if (r.diagnostics.size() != 1) {
      std::string all;
      for (const auto& d : r.diagnostics) all += d.ToString() + "\n";
      ADD_FAILURE() << "expected one diagnostic, got:\n" << all;
      return "";
    }
    return r.diagnostics[0].code + " " + r.diagnostics[0].summary;
  }
  fs::path root_;
};

TEST_F(LoadHostileTest, SymlinkLoopInADirectoryIsAnErrorNotAnAbort) {
  Write("a.yaml", BridgeDoc("br0"));
  fs::create_symlink(root_ / "loop.yaml", root_ / "loop.yaml");
  fs::create_directory_symlink(root_, root_ / "again");  // a directory loop: not followed
  auto r = LoadManifests({root_.string()});
  EXPECT_NE(OnlyDiagnostic(r).find("unreadable-file cannot read file"), std::string::npos);
  EXPECT_EQ(r.diagnostics[0].span.file, (root_ / "loop.yaml").string());
}

TEST_F(LoadHostileTest, FifoIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo((root_ / "fifo.yaml").c_str(), 0644), 0);
  auto r = LoadManifests({(root_ / "fifo.yaml").string()});
  EXPECT_EQ(OnlyDiagnostic(r), "unreadable-file not a regular file (a manifest must be one)");
}

TEST_F(LoadHostileTest, DeviceIsRefused) {
  // /dev/zero is world-writable, refused as unsafe first; allowed, it is refused for not being a file.
  EXPECT_NE(OnlyDiagnostic(LoadManifests({"/dev/zero"})).find("unsafe manifest"), std::string::npos);
  auto r = LoadManifests({"/dev/zero"}, AllowUnsafe());
  EXPECT_EQ(OnlyDiagnostic(r), "unreadable-file not a regular file (a manifest must be one)");
}

TEST_F(LoadHostileTest, OversizedFileIsRefused) {
  {
    std::ofstream big(root_ / "big.yaml");
    big << "# " << std::string(kMaxManifestBytes, 'x') << "\n";
  }
  fs::permissions(root_ / "big.yaml", fs::perms(0644));
  auto r = LoadManifests({(root_ / "big.yaml").string()});
  EXPECT_NE(OnlyDiagnostic(r).find("a manifest may have at most"), std::string::npos);
}

TEST_F(LoadHostileTest, WritableByOthersIsRefusedUnlessAllowed) {
  Write("a.yaml", BridgeDoc("br0"));
  fs::permissions(root_ / "a.yaml", fs::perms(0666));
  auto r = LoadManifests({(root_ / "a.yaml").string()});
  EXPECT_NE(OnlyDiagnostic(r).find("file is group- or world-writable"), std::string::npos);
  EXPECT_TRUE(LoadManifests({(root_ / "a.yaml").string()}, AllowUnsafe()).diagnostics.empty());

  fs::permissions(root_ / "a.yaml", fs::perms(0644));
  fs::create_directory(root_ / "shared");
  fs::permissions(root_ / "shared", fs::perms(0777));
  fs::copy_file(root_ / "a.yaml", root_ / "shared/a.yaml");
  fs::permissions(root_ / "shared/a.yaml", fs::perms(0644));
  r = LoadManifests({(root_ / "shared").string()});
  EXPECT_NE(OnlyDiagnostic(r).find("without the sticky bit"), std::string::npos);
  fs::permissions(root_ / "shared", fs::perms(01777));  // sticky, like /tmp: others cannot replace the file
  EXPECT_TRUE(LoadManifests({(root_ / "shared").string()}).diagnostics.empty());
}

TEST_F(LoadHostileTest, ASecretFileIsNotEchoed) {
  // A manifest symlinked to a credentials file: the diagnostics must not carry its content.
  const std::string secret = "root:$y$j9T$c2VjcmV0aGFzaHZhbHVl$9n4cAOj0Ih2Xq2bW3bTnQ:19000:0:99999:7:::";
  Write("shadow", secret + "\n" + secret + "\n");
  fs::create_symlink(root_ / "shadow", root_ / "m.yaml");
  auto r = LoadManifests({(root_ / "m.yaml").string()});
  ASSERT_FALSE(r.diagnostics.empty());
  for (const auto& d : r.diagnostics) EXPECT_EQ(d.ToString().find("c2VjcmV0aGFzaHZhbHVl"), std::string::npos) << d.ToString();
}

// yaml-cpp 0.7's LoadAll loops forever, allocating, on a text of a lone ',' (found by tests/fuzz/manifest_fuzz):
// berth must answer with a syntax error. The child gets 10 s, so a hang fails the test instead of the suite.
TEST(ParseHostile, TextThatMakesYamlCppLoopIsASyntaxError) {
  for (const char* text : {",\n", "a: 1\n---\n,\n"}) {
    EXPECT_EXIT(
        {
          ::alarm(10);
          auto r = testing::Load(text);
          std::exit(r.diagnostics.size() == 1 && r.diagnostics[0].code == "yaml-syntax" ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "")
        << text;
  }
}

TEST(ParseHostile, BinaryTaggedNameSaysItIsBinary) {
  auto r = testing::Load("apiVersion: berth/v1\nkind: Bridge\nmetadata:\n  name: !!binary YnIw\nspec:\n  address: 10.0.0.1/24\n");
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_NE(r.diagnostics[0].summary.find("a value tagged !!binary"), std::string::npos) << r.diagnostics[0].summary;
}

}  // namespace
}  // namespace berth::model
