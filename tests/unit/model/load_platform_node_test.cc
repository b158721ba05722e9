// What a new user trips over when loading: kinds of the other platform, documents of other nodes (counted),
// upper-case extensions, an empty directory, and FreeBSD's NAT egress.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/load.h"
#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

namespace fs = std::filesystem;
using testing::CodesAndFields;
using testing::Load;
using Strings = std::vector<std::string>;

const std::string kBridge = "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: br0}\nspec: {address: 10.1.0.1/24}\n";
const std::string kJail =
    "---\napiVersion: berth/v1\nkind: Jail\nmetadata: {name: j1}\nspec:\n  path: /jails/j1\n"
    "  network: {interfaces: [{name: vnet0, bridge: br0}]}\n";
const std::string kVm = "---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: vm1}\nspec: {network: {bridge: br0}}\n";
const std::string kNat = "---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: out}\nspec: {source: {bridge: br0}}\n";

LoadOptions For(const std::string& platform) {
  LoadOptions o;
  o.platform = platform;
  return o;
}

TEST(LoadPlatform, AJailOnLinuxIsAnErrorAtItsDocument) {
  auto r = Load(kBridge + kJail, For("linux"));
  EXPECT_EQ(CodesAndFields(r), Strings{"kind-not-on-platform kind"});
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics[0].span.line, 7);  // the Jail's kind: line
  EXPECT_NE(r.diagnostics[0].summary.find("Jail/j1"), std::string::npos);
  EXPECT_TRUE(Load(kBridge + kJail, For("freebsd")).diagnostics.empty());
  EXPECT_TRUE(Load(kBridge + kJail).diagnostics.empty());  // no platform: no platform rules
}

TEST(LoadPlatform, AVmOnFreeBsdIsAnError) {
  EXPECT_EQ(CodesAndFields(Load(kBridge + kVm, For("freebsd"))), Strings{"kind-not-on-platform kind"});
  EXPECT_TRUE(Load(kBridge + kVm, For("linux")).diagnostics.empty());
}

TEST(LoadPlatform, AFreeBsdNatNeedsEgress) {
  EXPECT_EQ(CodesAndFields(Load(kBridge + kNat, For("freebsd"))), Strings{"nat-needs-egress spec"});
  EXPECT_TRUE(Load(kBridge + kNat, For("linux")).diagnostics.empty());
}

TEST(LoadNode, DocumentsOfOtherNodesAreCounted) {
  const std::string fleet = kBridge + kVm +
                            "---\napiVersion: berth/v1\nkind: Bridge\nmetadata: {name: br1}\n"
                            "spec: {node: a, address: 10.2.0.1/24}\n"
                            "---\napiVersion: berth/v1\nkind: Bridge\nmetadata: {name: br2}\n"
                            "spec: {node: b, address: 10.3.0.1/24}\n";
  LoadOptions o;
  o.node = "a";
  auto r = Load(fleet, o);
  EXPECT_EQ(r.documents, 4u);
  EXPECT_EQ(r.filtered_out, 1u);
  EXPECT_EQ(r.nodes, (Strings{"a", "b"}));
  EXPECT_EQ(Load(fleet).filtered_out, 0u);
}

class LoadFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("berth-load-files-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(LoadFilesTest, UpperCaseExtensionsAreManifests) {
  std::ofstream(root_ / "BRIDGE.YAML") << kBridge;
  std::ofstream(root_ / "vm.Yml") << kVm;
  auto r = LoadManifests({root_.string()});
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.manifest.size(), 2u);
}

TEST_F(LoadFilesTest, AnEmptyDirectoryWarns) {
  auto r = LoadManifests({root_.string()});
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "no-manifests");
  EXPECT_EQ(r.diagnostics[0].severity, Severity::kWarning);
  EXPECT_FALSE(HasErrors(r.diagnostics));
}

}  // namespace
}  // namespace berth::model
