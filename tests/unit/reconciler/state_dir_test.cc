// The state directory persists allocations and the inventory atomically; the apply lock excludes a second holder.
#include "reconciler/state_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-state-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(StateDirTest, MissingFilesAreAFirstRun) {
  StateDir state(dir_.string());
  EXPECT_TRUE(state.LoadAllocations()->by_interface.empty());
  EXPECT_TRUE(state.LoadInventory()->empty());
}

TEST_F(StateDirTest, AllocationsAndInventoryRoundTrip) {
  StateDir state(dir_.string());
  Allocations a;
  a.by_interface["VM/vm1"] = {*model::Cidr4::Parse("10.168.0.2/24"), *model::Mac::Parse("02:00:00:00:00:01")};
  ASSERT_TRUE(state.SaveAllocations(a).ok());
  ASSERT_TRUE(state.SaveInventory({"Bridge/fcbr0", "VM/vm1"}).ok());
  EXPECT_EQ(*state.LoadAllocations(), a);
  EXPECT_EQ(*state.LoadInventory(), (std::vector<std::string>{"Bridge/fcbr0", "VM/vm1"}));
  EXPECT_FALSE(fs::exists(dir_ / "allocations.json.tmp"));
}

TEST_F(StateDirTest, CorruptFileIsAnErrorNotAnEmptyState) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "allocations.json") << "{not json";
  auto loaded = StateDir(dir_.string()).LoadAllocations();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("allocations.json"), std::string::npos);
}

TEST_F(StateDirTest, SecondLockHolderIsRefusedWithTheHolderNamed) {
  auto first = ApplyLock::Acquire(dir_.string(), "pid 42 berth apply");
  ASSERT_TRUE(first.ok());
  auto second = ApplyLock::Acquire(dir_.string(), "pid 43 berth apply");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("pid 42 berth apply"), std::string::npos) << second.error().message;
  { auto released = std::move(*first); }
  EXPECT_TRUE(ApplyLock::Acquire(dir_.string(), "pid 44").ok());
}

}  // namespace
}  // namespace berth::reconciler
