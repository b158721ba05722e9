// Launchers' result files: which workloads count as converged, and what the result directory holds after a
// publish (written, rewritten only on change, removed, foreign files kept, unsafe directories refused).
#include "reconciler/launch_records.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/unit/reconciler/test_platform.h"

namespace berth::reconciler {
namespace {

using testing::Changes;
using testing::Node;
using testing::Res;

/// The test platform, with one record per "node" resource whose name is a workload's ("a" for "Test/a").
class RecordPlatform final : public Platform {
 public:
  std::string name() const override { return "test"; }
  DesiredState Expand(const model::Manifest&, const Allocations&) const override { return {}; }
  std::vector<ResourceKey> DependenciesOf(const Resource&) const override { return {}; }
  std::optional<ResourceKey> ContainerOf(const Resource&) const override { return std::nullopt; }
  FieldPolicy PolicyOf(const std::string&, const std::string& field) const override {
    return field == "seen" ? FieldPolicy::kIgnore : FieldPolicy::kUpdate;
  }
  bool IsWorkload(const ResourceKey& key) const override { return key.kind == "node"; }
  bool IsSetting(const ResourceKey&) const override { return false; }
  void CheckHost(const DesiredState&, const ObservedState&, std::vector<Conflict>&,
                 std::vector<Warning>&) const override {}
  std::vector<LaunchRecord> LaunchRecords(const ObservedState& observed, const Allocations&,
                                          const std::string& scope_dir) const override {
    std::vector<LaunchRecord> out;
    for (const auto& r : observed.resources)
      if (r.key.kind == "node")
        out.push_back({"Test/" + r.key.name, r.key.name, "{\"in\": \"" + scope_dir + "\", \"v\": \"" + r.AttrOr("v") + "\"}\n"});
    return out;
  }
};

ObservedState Observed(std::vector<Resource> resources) {
  ObservedState o;
  for (auto& r : resources) r.ownership = Ownership::kOwned;
  o.resources = std::move(resources);
  o.Sort();
  return o;
}

Plan PlanOf(ChangeSet changes, std::vector<std::string> ids) {
  Plan p;
  p.changes = std::move(changes);
  p.manifest_ids = std::move(ids);
  return p;
}

class LaunchRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-records-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    options_ = {root_ + "/results", "/run/netns"};
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string Read(const std::string& name) const {
    std::ifstream in(options_.dir + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  bool Exists(const std::string& name) const { return std::filesystem::exists(options_.dir + "/" + name); }
  std::string root_;
  LaunchRecordOptions options_;
  RecordPlatform platform_;
};

TEST_F(LaunchRecordsTest, AWorkloadIsConvergedWhenEveryChangeOfItsIsOnTheHost) {
  const Plan plan = PlanOf(Changes()
                               .Create(Res(Node("a"), {{"v", "1"}, {"seen", "x"}}, "Test/a"))
                               .Create(Res(Node("b"), {{"v", "1"}}, "Test/b"))
                               .Delete(Res(Node("c-old"), {}, "Test/c"))
                               .Create(Res(Node("d"), {{"v", "1"}}, "Test/d"))
                               .NoOp(Res(Node("e"), {}, "Test/e"))
                               .Build(),
                           {"Test/a", "Test/b", "Test/c", "Test/d", "Test/e", "Test/f"});
  // a as wanted (an ignored field differs), b with a wrong value, c's old object still there, d missing;
  // e's change is a held-back launch; f had nothing to do.
  const ObservedState after = Observed({Res(Node("a"), {{"v", "1"}, {"seen", "y"}}, "Test/a"),
                                        Res(Node("b"), {{"v", "2"}}, "Test/b"), Res(Node("c-old"), {}, "Test/c")});
  EXPECT_EQ(ConvergedWorkloads(platform_, plan, after), (std::set<std::string>{"Test/a", "Test/e", "Test/f"}));
  ObservedState unowned = after;
  for (auto& r : unowned.resources) r.ownership = Ownership::kUnowned;
  EXPECT_FALSE(ConvergedWorkloads(platform_, plan, unowned).count("Test/a")) << "an unowned look-alike is not ours";
}

TEST_F(LaunchRecordsTest, PublishWritesConvergedRecordsAndRemovesTheRest) {
  const Plan plan = PlanOf(Changes().Create(Res(Node("b"), {{"v", "1"}}, "Test/b")).Build(), {"Test/a", "Test/b"});
  const ObservedState good = Observed({Res(Node("a"), {{"v", "1"}}, "Test/a"), Res(Node("b"), {{"v", "1"}}, "Test/b"),
                                       Res(Node("gone"), {}, "Test/gone")});
  ASSERT_TRUE(std::filesystem::create_directories(options_.dir));
  ::chmod(options_.dir.c_str(), 0755);
  std::ofstream(options_.dir + "/old.json") << "{}";
  std::ofstream(options_.dir + "/notes.txt") << "mine";
  std::filesystem::create_directory(options_.dir + "/dir.json");
  ASSERT_TRUE(PublishLaunchRecords(platform_, plan, &good, options_).ok());
  EXPECT_EQ(Read("a.json"), "{\"in\": \"/run/netns\", \"v\": \"1\"}\n");
  EXPECT_TRUE(Exists("b.json"));
  EXPECT_FALSE(Exists("gone.json")) << "not in the manifests";
  EXPECT_FALSE(Exists("old.json"));
  EXPECT_EQ(Read("notes.txt"), "mine");
  EXPECT_TRUE(std::filesystem::is_directory(options_.dir + "/dir.json")) << "a directory is not a record";
  struct stat st {};
  ASSERT_EQ(::stat((options_.dir + "/a.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);

  // Unchanged content is not rewritten (a waiting launcher sees one file); b breaks and loses its record.
  const auto inode = st.st_ino;
  const ObservedState broken = Observed({Res(Node("a"), {{"v", "1"}}, "Test/a"), Res(Node("b"), {{"v", "9"}}, "Test/b")});
  ASSERT_TRUE(PublishLaunchRecords(platform_, plan, &broken, options_).ok());
  ASSERT_EQ(::stat((options_.dir + "/a.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, inode);
  EXPECT_FALSE(Exists("b.json"));
  // No re-observation: the workloads the plan touched lose their records, the others keep them.
  Plan with_basis = plan;
  with_basis.basis = good;
  ASSERT_TRUE(PublishLaunchRecords(platform_, with_basis, nullptr, options_).ok());
  EXPECT_TRUE(Exists("a.json"));
  EXPECT_FALSE(Exists("b.json"));
}

TEST_F(LaunchRecordsTest, UnsafeDirectoriesAreRefused) {
  const Plan plan = PlanOf({}, {"Test/a"});
  const ObservedState host = Observed({Res(Node("a"), {{"v", "1"}}, "Test/a")});
  ASSERT_TRUE(std::filesystem::create_directories(options_.dir));
  ::chmod(options_.dir.c_str(), 0777);
  auto r = PublishLaunchRecords(platform_, plan, &host, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("writable by others"), std::string::npos) << r.error().message;
  EXPECT_FALSE(Exists("a.json"));
  std::filesystem::remove(options_.dir);
  std::filesystem::create_directory(root_ + "/elsewhere");
  std::filesystem::create_directory_symlink(root_ + "/elsewhere", options_.dir);
  r = PublishLaunchRecords(platform_, plan, &host, options_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("symlink"), std::string::npos) << r.error().message;
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/elsewhere"));
  options_.dir = "relative/dir";
  EXPECT_FALSE(PublishLaunchRecords(platform_, plan, &host, options_).ok());
}

TEST_F(LaunchRecordsTest, AMissingDirectoryIsMade0755) {
  const mode_t old_umask = ::umask(077);
  const Plan plan = PlanOf({}, {"Test/a"});
  const ObservedState host = Observed({Res(Node("a"), {{"v", "1"}}, "Test/a")});
  ASSERT_TRUE(PublishLaunchRecords(platform_, plan, &host, options_).ok());
  ::umask(old_umask);
  struct stat st {};
  ASSERT_EQ(::stat(options_.dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat((options_.dir + "/a.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

}  // namespace
}  // namespace berth::reconciler
