// The state directory persists allocations and the inventory atomically; the apply lock excludes a second holder.
#include "reconciler/state_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

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

TEST_F(StateDirTest, WrongTypesAndDirectoriesAreErrorsNamingTheFile) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms(0700));
  for (const char* text : {R"({"version": "1"})", R"({"version": 1, "interfaces": {"VM/a": {"address": 7}}})",
                           R"({"version": 1, "interfaces": []})", R"([1, 2])", R"({"version": 1e999})"}) {
    std::ofstream(dir_ / "allocations.json") << text;
    auto loaded = StateDir(dir_.string()).LoadAllocations();
    ASSERT_FALSE(loaded.ok()) << text;
    EXPECT_NE(loaded.error().message.find("allocations.json"), std::string::npos) << loaded.error().message;
  }
  for (const char* text : {R"({"version": 1, "applied": [1]})", R"({"version": 1, "applied": "x"})"}) {
    std::ofstream(dir_ / "inventory.json") << text;
    EXPECT_FALSE(StateDir(dir_.string()).LoadInventory().ok()) << text;
  }
  fs::remove(dir_ / "allocations.json");
  fs::create_directory(dir_ / "allocations.json");
  auto loaded = StateDir(dir_.string()).LoadAllocations();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("not a regular file"), std::string::npos) << loaded.error().message;
}

TEST_F(StateDirTest, DirectoriesAre0700WhateverTheUmask) {
  const mode_t old = ::umask(0);
  Allocations a;
  auto saved = StateDir((dir_ / "nested/state").string()).SaveAllocations(a);
  auto lock = ApplyLock::Acquire((dir_ / "lock").string(), "pid 1 berth apply");
  ::umask(old);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  for (const char* d : {"", "nested", "nested/state", "lock"})
    EXPECT_EQ(fs::status(dir_ / d).permissions(), fs::perms(0700)) << d;
  EXPECT_EQ(fs::status(dir_ / "nested/state/allocations.json").permissions(), fs::perms(0600));
  EXPECT_EQ(fs::status(dir_ / "lock/apply.lock").permissions(), fs::perms(0600));
}

TEST_F(StateDirTest, PlantedSymlinksAreRefusedAndTheirTargetsUntouched) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms(0700));
  const fs::path victim = dir_.string() + "-victim";
  std::ofstream(victim) << "precious\n";
  fs::create_symlink(victim, dir_ / "apply.lock");
  auto lock = ApplyLock::Acquire(dir_.string(), "pid 1 berth apply");
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.error().message.find("symlink"), std::string::npos) << lock.error().message;
  fs::create_symlink(victim, dir_ / "allocations.json");
  EXPECT_FALSE(StateDir(dir_.string()).LoadAllocations().ok());
  fs::create_symlink(victim, dir_ / "inventory.json.tmp");  // a planted temporary file
  ASSERT_TRUE(StateDir(dir_.string()).SaveInventory({"VM/vm1"}).ok());
  EXPECT_FALSE(fs::is_symlink(dir_ / "inventory.json"));
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious\n");
  fs::remove(victim);
}

TEST_F(StateDirTest, ADirectoryOthersCanWriteIsRefused) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms(0777));
  auto saved = StateDir(dir_.string()).SaveInventory({});
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().message.find("writable by others"), std::string::npos) << saved.error().message;
}

TEST_F(StateDirTest, AFileOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms(0700));
  std::ofstream(dir_ / "inventory.json") << R"({"version": 1, "applied": []})";
  ASSERT_EQ(::chown((dir_ / "inventory.json").c_str(), 65534, 65534), 0);
  auto loaded = StateDir(dir_.string()).LoadInventory();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("belongs to uid 65534"), std::string::npos) << loaded.error().message;
}

}  // namespace
}  // namespace berth::reconciler
