// Loading files and directories, node selection, and the order diagnostics come in.
#include "model/load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

namespace fs = std::filesystem;
using testing::BridgeDoc;
using testing::Header;
using testing::Load;
using testing::Summaries;
using Strings = std::vector<std::string>;

class LoadDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("berth-load-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& relative, const std::string& text) {
    fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  Strings Relative(const Strings& files) const {
    Strings out;
    for (const std::string& f : files) out.push_back(fs::path(f).lexically_relative(root_).string());
    return out;
  }
  fs::path root_;
};

TEST_F(LoadDirTest, ReadsYamlFilesRecursivelyInSortedOrderSkippingDotEntries) {
  Write("b.yaml", BridgeDoc("br-b", "10.2.0.1/24"));
  Write("a/z.yml", BridgeDoc("br-az", "10.1.26.1/24"));
  Write("a/c.yaml", BridgeDoc("br-ac", "10.1.3.1/24"));
  Write("a-c.yaml", BridgeDoc("br-a-c", "10.1.100.1/24"));
  Write(".git/config.yaml", "not: [yaml");
  Write(".github/workflows/ci.yaml", "on: push\n");
  Write("a/.hidden.yaml", "broken: [");
  Write("notes.txt", "not a manifest");
  auto r = LoadManifests({root_.string()});
  EXPECT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(Relative(r.files), (Strings{"a/c.yaml", "a/z.yml", "a-c.yaml", "b.yaml"}));
  ASSERT_EQ(r.manifest.bridges.size(), 4u);
  EXPECT_EQ(r.manifest.bridges[0].doc.metadata.name, "br-ac");
  EXPECT_EQ(r.manifest.bridges[3].doc.metadata.name, "br-b");
}

TEST_F(LoadDirTest, ACacheGivesWhatAFreshLoadGivesAndSeesEveryChangeOfContent) {
  ParseCache cache;
  LoadOptions cached;
  cached.cache = &cache;
  Write("a.yaml", BridgeDoc("br-a", "10.1.0.1/24"));
  Write("b.yaml", BridgeDoc("br-b", "10.2.0.1/24"));
  auto first = LoadManifests({root_.string()}, cached);
  ASSERT_EQ(first.manifest.bridges.size(), 2u);

  // Same size, same timestamp, other content: compared by content, so it is parsed again.
  auto stamp = fs::last_write_time(root_ / "b.yaml");
  Write("b.yaml", BridgeDoc("br-c", "10.2.0.1/24"));
  fs::last_write_time(root_ / "b.yaml", stamp);
  auto second = LoadManifests({root_.string()}, cached);
  ASSERT_EQ(second.manifest.bridges.size(), 2u);
  EXPECT_EQ(second.manifest.bridges[1].doc.metadata.name, "br-c");

  // A broken file reports its error with the cache as without it, and a removed file is gone.
  Write("a.yaml", "kind: [");
  auto broken = LoadManifests({root_.string()}, cached);
  EXPECT_EQ(Summaries(broken), Summaries(LoadManifests({root_.string()})));
  EXPECT_TRUE(HasErrors(broken.diagnostics));
  fs::remove(root_ / "a.yaml");
  auto removed = LoadManifests({root_.string()}, cached);
  EXPECT_EQ(Summaries(removed), Strings{});
  ASSERT_EQ(removed.manifest.bridges.size(), 1u);
  EXPECT_EQ(removed.manifest.bridges[0].doc.metadata.name, "br-c");
}

TEST_F(LoadDirTest, ExplicitFilesAreReadWhateverTheirNameAndOnlyOnce) {
  Write("bridge.txt", BridgeDoc());
  Write("dir/vm.yaml", Header("VM", "vm1") + "spec:\n  network: {bridge: br0}\n");
  auto r = LoadManifests({(root_ / "bridge.txt").string(), (root_ / "dir").string(), (root_ / "dir/vm.yaml").string()});
  EXPECT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(Relative(r.files), (Strings{"bridge.txt", "dir/vm.yaml"}));
  EXPECT_EQ(r.manifest.size(), 2u);
}

TEST_F(LoadDirTest, MissingPathsAreReportedFirst) {
  Write("bad.yaml", BridgeDoc("br0", "10.168.0.1/31"));
  auto r = LoadManifests({(root_ / "bad.yaml").string(), (root_ / "missing").string()});
  EXPECT_EQ(Summaries(r), (Strings{"unreadable-file - 0:0", "invalid-prefix spec.address 6:12"}));
}

TEST_F(LoadDirTest, CrossResourceErrorsFollowFileOrder) {
  Write("1-vms.yaml", Header("VM", "vm1") + "spec:\n  network: {bridge: nope}\n");
  Write("2-bridges.yaml", BridgeDoc("br0") + "  mtu: 1\n");
  auto r = LoadManifests({root_.string()});
  ASSERT_EQ(r.diagnostics.size(), 2u);
  EXPECT_EQ(r.diagnostics[0].code, "unknown-bridge");
  EXPECT_EQ(fs::path(r.diagnostics[0].span.file).filename(), "1-vms.yaml");
  EXPECT_EQ(r.diagnostics[1].code, "invalid-mtu");
}

TEST_F(LoadDirTest, ASyntaxErrorSkipsCrossResourceChecks) {
  Write("a.yaml", "kind: [\n");
  Write("b.yaml", Header("VM", "vm1") + "spec:\n  network: {bridge: defined-in-a}\n");
  EXPECT_EQ(testing::Codes(LoadManifests({root_.string()})), Strings{"yaml-syntax"});
}

const std::string kFleet = BridgeDoc("br0", "10.1.0.1/24") + "  node: node-a\n---\n" + BridgeDoc("br0", "10.1.0.1/24") +
                           "  node: node-b\n---\n" + Header("VM", "shared") + "spec:\n  network: {bridge: br0}\n";

TEST(LoadNodes, SelectsTheNodesDocumentsAndSharedOnes) {
  auto r = Load(kFleet, LoadOptions{"node-b"});
  EXPECT_EQ(Summaries(r), Strings{});
  ASSERT_EQ(r.manifest.bridges.size(), 1u);
  EXPECT_EQ(r.manifest.bridges[0].doc.node, "node-b");
  EXPECT_EQ(r.manifest.bridges[0].doc.span.line, 9);
  EXPECT_EQ(r.manifest.vms.size(), 1u);
  EXPECT_EQ(Load(kFleet, LoadOptions{"node-c"}).manifest.bridges.size(), 0u);
}

TEST(LoadNodes, WithoutANodeKeepsEverythingAndValidatesEachNodesView) {
  auto r = Load(kFleet);
  EXPECT_EQ(Summaries(r), Strings{});  // br0 twice, but on different nodes
  EXPECT_EQ(r.manifest.bridges.size(), 2u);
  // A shared document is in every node's view; its error is found twice but reported once.
  auto broken = Load(kFleet + "---\n" + Header("VM", "vm2") + "spec:\n  network: {bridge: br9}\n");
  EXPECT_EQ(Summaries(broken), Strings{"unknown-bridge spec.network.bridge 29:21"});
}

TEST(LoadNodes, OneNodeMayNotHaveTwoBridgesOfOneName) {
  auto r = Load(kFleet + "---\n" + BridgeDoc("br0", "10.9.0.1/24") + "  node: node-a\n");
  EXPECT_EQ(Summaries(r), Strings{"duplicate-name metadata.name 27:9"});
}

TEST(LoadNodes, PerDocumentErrorsOfOtherNodesAreStillReported) {
  auto r = Load(BridgeDoc("br0", "10.1.0.1/24") + "  node: node-b\n  mtu: 1\n", LoadOptions{"node-a"});
  EXPECT_EQ(Summaries(r), Strings{"invalid-mtu spec.mtu 8:8"});
}

}  // namespace
}  // namespace berth::model
