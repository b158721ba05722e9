// The KVM probe's verdicts on stand-in devices (no root, no KVM needed): a missing device, devices whose KVM
// ioctls fail, a child that hangs past its deadline, and the per-boot cache.
#include "drivers/linux/kvm_probe.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace berth::drivers::lnx {
namespace {

namespace fs = std::filesystem;
using End = ChildOutcome::End;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-kvm-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

std::string Node(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_rdev);
}

void WriteCache(const std::string& dir, const nlohmann::json& j) { std::ofstream(dir + "/kvm-probe.json") << j.dump(); }

TEST(RunChildWithDeadline, ReportsTheExitStatusAndWhatTheChildWrote) {
  auto o = RunChildWithDeadline(
      [](int fd) {
        (void)!::write(fd, "KVM_RUN: nope", 13);
        return 3;
      },
      std::chrono::milliseconds(5000));
  EXPECT_EQ(o.end, End::kExited);
  EXPECT_EQ(o.code, 3);
  EXPECT_EQ(o.message, "KVM_RUN: nope");
}

TEST(RunChildWithDeadline, KillsAChildThatOutlivesItsDeadline) {
  // The shape of a KVM_RUN that never returns: the child blocks forever and must be killed, not waited for.
  auto o = RunChildWithDeadline(
      [](int) {
        for (;;) ::pause();
        return 0;
      },
      std::chrono::milliseconds(100));
  EXPECT_EQ(o.end, End::kTimedOut);
}

TEST(RunChildWithDeadline, AChildThatDiesOfASignalIsNotASuccess) {
  auto o = RunChildWithDeadline(
      [](int) {
        ::raise(SIGKILL);
        return 0;
      },
      std::chrono::milliseconds(5000));
  EXPECT_EQ(o.end, End::kSignalled);
  EXPECT_EQ(o.code, SIGKILL);
}

TEST(ProbeKvm, AMissingDeviceIsUnusable) {
  TempDir dir;
  auto v = ProbeKvm(dir.path() + "/kvm");
  EXPECT_FALSE(v.usable);
  EXPECT_EQ(v.reason, dir.path() + "/kvm does not exist");
}

TEST(ProbeKvm, ADeviceWhoseKvmIoctlsFailCannotRunAGuest) {
  // /dev/null opens like /dev/kvm but answers no KVM ioctl; a regular file likewise.
  TempDir dir;
  std::ofstream(dir.path() + "/file") << "not a device\n";
  for (const std::string& dev : {std::string("/dev/null"), dir.path() + "/file"}) {
    auto v = ProbeKvm(dev);
    EXPECT_FALSE(v.usable) << dev;
    EXPECT_EQ(v.reason.rfind(dev + " cannot run a guest: KVM_GET_API_VERSION: ", 0), 0u) << v.reason;
  }
}

TEST(ProbeKvm, AnUnreadableDeviceSaysSo) {
  TempDir dir;
  EXPECT_EQ(::mkdir((dir.path() + "/kvm").c_str(), 0700), 0);  // opening a directory read-write fails
  auto v = ProbeKvm(dir.path() + "/kvm");
  EXPECT_FALSE(v.usable);
  EXPECT_NE(v.reason.find("open: Is a directory"), std::string::npos) << v.reason;
}

TEST(KvmVerdictForThisBoot, ProbesOnceAndCachesTheVerdictForThisBootAndDevice) {
  TempDir state;
  auto v = KvmVerdictForThisBoot("/dev/null", state.path());
  EXPECT_FALSE(v.usable);
  std::ifstream in(state.path() + "/kvm-probe.json");
  auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["boot_id"], BootId());
  EXPECT_EQ(j["device"], "/dev/null");
  EXPECT_EQ(j["node"], Node("/dev/null"));
  EXPECT_EQ(j["usable"], false);
  EXPECT_EQ(j["reason"], v.reason);
  struct stat st {};
  ASSERT_EQ(::stat((state.path() + "/kvm-probe.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(KvmVerdictForThisBoot, TrustsAVerdictOfThisBootForTheSameNode) {
  // How tests simulate a host whose KVM works: its verdict is already recorded for this boot.
  TempDir state;
  WriteCache(state.path(),
             {{"boot_id", BootId()}, {"device", "/dev/null"}, {"node", Node("/dev/null")}, {"usable", true}, {"reason", ""}});
  EXPECT_TRUE(KvmVerdictForThisBoot("/dev/null", state.path()).usable);
}

TEST(KvmVerdictForThisBoot, ProbesAgainForAnotherBootAnotherNodeOrATornFile) {
  const nlohmann::json good = {
      {"boot_id", BootId()}, {"device", "/dev/null"}, {"node", Node("/dev/null")}, {"usable", true}, {"reason", ""}};
  std::vector<nlohmann::json> stale;
  for (const char* field : {"boot_id", "node", "device"}) {
    nlohmann::json j = good;
    j[field] = "something else";
    stale.push_back(j);
  }
  nlohmann::json wrong_type = good;
  wrong_type["usable"] = "yes";
  stale.push_back(wrong_type);
  for (const auto& j : stale) {
    TempDir state;
    WriteCache(state.path(), j);
    EXPECT_FALSE(KvmVerdictForThisBoot("/dev/null", state.path()).usable) << j.dump();
  }
  TempDir torn;
  std::ofstream(torn.path() + "/kvm-probe.json") << "{\"boot_id\": \"";
  EXPECT_FALSE(KvmVerdictForThisBoot("/dev/null", torn.path()).usable);
}

TEST(KvmVerdictForThisBoot, AMissingDeviceIsNeverCached) {
  TempDir state;
  auto v = KvmVerdictForThisBoot(state.path() + "/kvm", state.path());
  EXPECT_FALSE(v.usable);
  EXPECT_FALSE(fs::exists(state.path() + "/kvm-probe.json"));
}

}  // namespace
}  // namespace berth::drivers::lnx
