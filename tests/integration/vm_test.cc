// VMs that really boot: a QEMU guest configured by berth's ip= argument pings its gateway and an upstream
// namespace through the NAT; a killed VM is drift that apply restarts; removal stops the process before its
// network goes. The three kinds of host a KVM probe tells apart: no device, a device that cannot run a guest
// (a stand-in: /dev/null answers no KVM ioctl) where QEMU boots under TCG and Firecracker is held back, and a
// working one (the real /dev/kvm when the probe passes, or a verdict recorded for this boot). Firecracker's
// jailer runs a stand-in binary where Firecracker would be.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

const std::string kGuestDir = std::string(BERTH_SOURCE_DIR) + "/tests/integration/guest";
constexpr int kBootTimeoutS = 180;  // TCG on two busy cores: a Debian kernel boots in 10-30 s

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// The first line of `path` containing `needle`, waiting up to `seconds`; "" on timeout.
std::string WaitForLine(const std::string& path, const std::string& needle, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream in(ReadFile(path));
    for (std::string line; std::getline(in, line);)
      if (line.find(needle) != std::string::npos) return line;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return "";
}

bool Alive(int pid) { return pid > 0 && ::kill(pid, 0) == 0 && Sh("grep -q '^State:.*Z' /proc/" + std::to_string(pid) + "/status").status != 0; }

bool WaitGone(int pid, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (!Alive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

/// Records "the KVM at `device` runs guests" for this boot, as berth's probe would on a host whose KVM works.
void RecordWorkingKvm(const BerthCli& berth, const std::string& device) {
  struct stat st {};
  ASSERT_EQ(::stat(device.c_str(), &st), 0);
  ASSERT_EQ(::mkdir(berth.state().c_str(), 0700) == 0 || errno == EEXIST, true);
  const nlohmann::json verdict = {
      {"boot_id", Trim(ReadFile("/proc/sys/kernel/random/boot_id"))},
      {"device", device},
      {"node", std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_rdev)},
      {"usable", true},
      {"reason", ""}};
  std::ofstream(berth.state() + "/kvm-probe.json") << verdict.dump();
}

int RecordedPid(const BerthCli& berth, const std::string& vm) {
  auto j = nlohmann::json::parse(ReadFile(berth.state() + "/vms/" + vm + "/record.json"), nullptr, false);
  return j.is_object() ? j.value("pid", 0) : 0;
}

class VmTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  void TearDown() override {
    // Never leave a hypervisor behind: it would outlive the sandbox holding its namespace.
    Sh("for r in " + berth_.state() + "/vms/*/record.json; do [ -f \"$r\" ] && kill -9 $(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p' \"$r\") 2>/dev/null; done; true");
    SandboxTest::TearDown();
  }
  BerthCli berth_;
};

std::string GuestManifest(const std::string& kernel, const std::string& initrd, const std::string& extra_args) {
  return "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: hvbr0}\nspec: {address: 10.170.0.1/24}\n---\n"
         "apiVersion: berth/v1\nkind: NAT\nmetadata: {name: hvbr0-out}\nspec: {source: {bridge: hvbr0}}\n---\n"
         "apiVersion: berth/v1\nkind: VM\nmetadata: {name: guest}\nspec:\n"
         "  network: {bridge: hvbr0, address: 10.170.0.10/24, dns: [10.170.0.1]}\n"
         "  qemu:\n    kernel: " + kernel + "\n    initrd: " + initrd + "\n    memoryMiB: 256\n"
         "    bootArgs: console=ttyS0 panic=-1 quiet berth.upstream=192.0.2.2" + extra_args + "\n";
}

/// Debian's kernel, the test guest's initramfs built for it, and an "upstream" namespace berth does not own,
/// reached through the host and the NAT. Skips the test without QEMU.
struct GuestFiles {
  std::string kernel, initrd;
};
GuestFiles PrepareGuest(const BerthCli& berth) {
  const std::string kernel = Sh("ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1").out;
  EXPECT_FALSE(kernel.empty()) << "no Debian kernel in /boot (scripts/setup.sh installs linux-image-amd64)";
  if (kernel.empty()) return {};
  const std::string kpath = kernel.substr(0, kernel.size() - 1);
  const std::string kver = kpath.substr(kpath.find("vmlinuz-") + 8);
  const std::string initrd = berth.dir() + "/guest-initrd.gz";
  auto built = Sh(kGuestDir + "/make-initramfs.sh " + initrd + " " + kver);
  EXPECT_EQ(built.status, 0) << built.out;
  EXPECT_EQ(Sh("ip netns add upstream && ip link add up-host type veth peer name up-peer netns upstream && "
               "ip addr add 192.0.2.1/24 dev up-host && ip link set up-host up && "
               "ip -n upstream addr add 192.0.2.2/24 dev up-peer && ip -n upstream link set up-peer up && "
               "ip -n upstream link set lo up")
                .status,
            0);
  return built.status == 0 ? GuestFiles{kpath, initrd} : GuestFiles{};
}

nlohmann::json ShowJson(const BerthCli& berth, const std::string& opts = "") {
  auto r = berth.Run("show -o json" + opts);
  EXPECT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_object() ? j : nlohmann::json::object();
}

TEST_F(VmTest, QemuGuestPingsThroughTheNatIsRestartedWhenKilledAndStopsBeforeItsNetworkGoes) {
  if (Sh("command -v qemu-system-x86_64").status != 0) GTEST_SKIP() << "qemu-system-x86_64 is not installed";
  const GuestFiles guest = PrepareGuest(berth_);
  ASSERT_FALSE(guest.initrd.empty());
  const std::string& kpath = guest.kernel;
  const std::string& initrd = guest.initrd;
  const std::string console = berth_.state() + "/vms/guest/console.log";

  // 1. Boot; the guest powers off after its report, which ends the process: drift.
  std::string dir = berth_.WriteManifest("guest.yaml", GuestManifest(kpath, initrd, " berth.poweroff"));
  auto r = berth_.Run("apply -f " + dir);
  ASSERT_EQ(r.status, 0) << r.out;
  std::string line = WaitForLine(console, "BERTH-GUEST", kBootTimeoutS);
  EXPECT_NE(line.find("ip=10.170.0.10 gateway=ok upstream=ok dns=10.170.0.1"), std::string::npos)
      << line << "\n" << ReadFile(console);
  EXPECT_TRUE(WaitGone(RecordedPid(berth_, "guest"), 60)) << "the guest did not power off";
  r = berth_.Run("plan --detailed-exitcode -f " + dir);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("vmproc:/guest"), std::string::npos) << r.out;

  // 2. A guest that stays up (a changed command line is a replacement), then killed: apply restarts it.
  dir = berth_.WriteManifest("guest.yaml", GuestManifest(kpath, initrd, ""));
  r = berth_.Run("apply -f " + dir);
  ASSERT_EQ(r.status, 0) << r.out;
  line = WaitForLine(console, "BERTH-GUEST", kBootTimeoutS);
  EXPECT_NE(line.find("gateway=ok upstream=ok"), std::string::npos) << line << "\n" << ReadFile(console);
  const int first = RecordedPid(berth_, "guest");
  ASSERT_TRUE(Alive(first));
  EXPECT_EQ(berth_.Run("plan --detailed-exitcode -f " + dir).status, 0);
  auto vms = berth_.Vms();
  EXPECT_EQ(vms["guest"].value("pid", 0), first) << vms.dump();
  EXPECT_EQ(vms["guest"].value("hypervisor", ""), "qemu") << vms.dump();
  // This host's real KVM device: the guest got KVM exactly when the probe saw KVM run a guest.
  const nlohmann::json kvm = ShowJson(berth_)["kvm"];
  ASSERT_TRUE(kvm.is_object()) << kvm.dump();
  EXPECT_EQ(vms["guest"].value("accelerator", ""), kvm.value("usable", false) ? "kvm" : "tcg") << kvm.dump();
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  ASSERT_TRUE(WaitGone(first, 10));
  r = berth_.Run("plan --detailed-exitcode -f " + dir);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("running"), std::string::npos) << r.out;
  r = berth_.Run("apply -f " + dir);
  ASSERT_EQ(r.status, 0) << r.out;
  line = WaitForLine(console, "BERTH-GUEST", kBootTimeoutS);
  EXPECT_NE(line.find("gateway=ok upstream=ok"), std::string::npos) << line << "\n" << ReadFile(console);
  const int second = RecordedPid(berth_, "guest");
  EXPECT_TRUE(Alive(second));
  EXPECT_NE(second, first);

  // 3. Removal: the plan stops the process before the netns goes, and apply leaves neither.
  dir = berth_.WriteManifest("guest.yaml",
                             "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: hvbr0}\nspec: {address: 10.170.0.1/24}\n");
  auto plan = ShJson(std::string(BERTH_BINARY) + " plan --output json --allow-mass-delete -f " + dir +
                     " --state-dir " + berth_.state());
  int stop = -1, netns = -1;
  for (const auto& s : plan["steps"]) {
    if (s["op"] == "delete" && s["key"] == "vmproc:/guest") stop = s["id"];
    if (s["op"] == "delete" && s["key"] == "netns:/berth-guest") {
      netns = s["id"];
      bool after_stop = false;
      for (const auto& d : s["depends_on"]) after_stop = after_stop || d == stop;
      EXPECT_TRUE(after_stop) << s.dump();
    }
  }
  ASSERT_GE(stop, 0) << plan.dump(1);
  ASSERT_GT(netns, stop) << plan.dump(1);
  r = berth_.Run("apply --allow-mass-delete -f " + dir);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(Alive(second));
  EXPECT_NE(Sh("ip netns list | grep -q berth-guest").status, 0);
  struct stat st {};
  EXPECT_NE(::stat((berth_.state() + "/vms/guest").c_str(), &st), 0) << "the VM's state stays behind";
}

TEST_F(VmTest, WhereKvmCannotRunAGuestQemuBootsUnderTcgAndShowSaysWhy) {
  if (Sh("command -v qemu-system-x86_64").status != 0) GTEST_SKIP() << "qemu-system-x86_64 is not installed";
  const GuestFiles guest = PrepareGuest(berth_);
  ASSERT_FALSE(guest.initrd.empty());
  const std::string dir = berth_.WriteManifest("guest.yaml", GuestManifest(guest.kernel, guest.initrd, ""));
  // The stand-in opens like /dev/kvm and answers no KVM ioctl, as a broken nested KVM fails its first guest.
  const std::string opts = " --kvm-device /dev/null";
  auto r = berth_.Run("plan -f " + dir + opts);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("runs under TCG, not KVM: /dev/null cannot run a guest: KVM_GET_API_VERSION"),
            std::string::npos) << r.out;
  r = berth_.Run("apply -f " + dir + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string line = WaitForLine(berth_.state() + "/vms/guest/console.log", "BERTH-GUEST", kBootTimeoutS);
  EXPECT_NE(line.find("ip=10.170.0.10 gateway=ok upstream=ok dns=10.170.0.1"), std::string::npos)
      << line << "\n" << ReadFile(berth_.state() + "/vms/guest/console.log");
  const nlohmann::json show = ShowJson(berth_, opts);
  EXPECT_EQ(show["vms"]["guest"].value("accelerator", ""), "tcg") << show.dump(1);
  EXPECT_EQ(show["kvm"].value("usable", true), false) << show.dump(1);
  EXPECT_EQ(show["kvm"].value("reason", "").rfind("/dev/null cannot run a guest: KVM_GET_API_VERSION: ", 0), 0u)
      << show.dump(1);
  EXPECT_EQ(Sh("tr '\\0' ' ' < /proc/" + std::to_string(RecordedPid(berth_, "guest")) + "/cmdline | grep -q -- '-accel tcg '").status, 0);
  // A verdict that changes (KVM fixed, say) does not restart the running guest: the accelerator is not part
  // of what the VM was asked to be.
  RecordWorkingKvm(berth_, "/dev/null");
  r = berth_.Run("plan --detailed-exitcode -f " + dir + opts);
  EXPECT_EQ(r.status, 0) << r.out;
}

#ifdef BERTH_FC_PROBE
std::string FcManifest(const std::string& files) {
  return "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr9}\nspec: {address: 10.171.0.1/24}\n---\n"
         "apiVersion: berth/v1\nkind: VM\nmetadata: {name: fc1}\nspec:\n"
         "  network: {bridge: fcbr9, address: 10.171.0.10/24}\n"
         "  firecracker:\n    kernel: " + files + "/vmlinux\n    rootfs: " + files + "/rootfs.ext4\n"
         "    vcpus: 2\n    memoryMiB: 256\n    bootArgs: console=ttyS0 reboot=k panic=1\n"
         "    jailer: {uid: 4321, gid: 4322}\n";
}

TEST_F(VmTest, FirecrackerWithoutKvmIsHeldBackWhileItsNetworkConverges) {
  const std::string files = berth_.dir() + "/files";
  ASSERT_EQ(Sh("mkdir -p " + files + " && echo kernel > " + files + "/vmlinux && echo rootfs > " + files + "/rootfs.ext4").status, 0);
  const std::string dir = berth_.WriteManifest("fc.yaml", FcManifest(files));
  const std::string opts = " --firecracker " + std::string(BERTH_FC_PROBE) + " --kvm-device " + berth_.dir() + "/no-kvm";
  auto r = berth_.Run("plan -f " + dir + opts);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("does not exist: Firecracker needs KVM"), std::string::npos) << r.out;
  r = berth_.Run("apply -f " + dir + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Sh("ip -n berth-fc1 link show tap0").status, 0);
  EXPECT_EQ(RecordedPid(berth_, "fc1"), 0);
  const nlohmann::json kvm = ShowJson(berth_, opts)["kvm"];
  EXPECT_EQ(kvm.value("usable", true), false) << kvm.dump();
  EXPECT_EQ(kvm.value("reason", ""), berth_.dir() + "/no-kvm does not exist") << kvm.dump();
}

TEST_F(VmTest, FirecrackerIsHeldBackWhereKvmCannotRunAGuest) {
  const std::string files = berth_.dir() + "/files";
  ASSERT_EQ(Sh("mkdir -p " + files + " && echo kernel > " + files + "/vmlinux && echo rootfs > " + files + "/rootfs.ext4").status, 0);
  const std::string dir = berth_.WriteManifest("fc.yaml", FcManifest(files));
  const std::string opts = " --firecracker " + std::string(BERTH_FC_PROBE) + " --kvm-device /dev/null";
  auto r = berth_.Run("apply -f " + dir + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("/dev/null cannot run a guest: KVM_GET_API_VERSION: Inappropriate ioctl for device: "
                       "Firecracker needs KVM"),
            std::string::npos) << r.out;
  EXPECT_EQ(RecordedPid(berth_, "fc1"), 0);
  EXPECT_EQ(Sh("ip -n berth-fc1 link show tap0").status, 0);
}

TEST_F(VmTest, FirecrackerJailerRunsTheBinaryUnprivilegedInItsChrootAndNetns) {
  const std::string files = berth_.dir() + "/files";
  ASSERT_EQ(Sh("mkdir -p " + files + " && echo kernel > " + files + "/vmlinux && head -c 1048576 /dev/zero > " + files + "/rootfs.ext4").status, 0);
  const std::string dir = berth_.WriteManifest("fc.yaml", FcManifest(files));
  // A host whose KVM works, whatever this one's does: /dev/null stands in, with a passing verdict recorded.
  RecordWorkingKvm(berth_, "/dev/null");
  const std::string opts = " --firecracker " + std::string(BERTH_FC_PROBE) + " --kvm-device /dev/null";
  auto r = berth_.Run("apply -f " + dir + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string log = berth_.state() + "/vms/fc1/hypervisor.log";
  const std::string line = WaitForLine(log, "PROBE", 10);
  ASSERT_FALSE(line.empty()) << ReadFile(log);
  // What the probe saw from inside.
  for (const char* want : {"uid=4321,4321,4321", "gid=4322,4322,4322", "groups=0", "capeff=0,0", "capprm=0,0",
                           "nnp=1", "cwd=/", "config=/config.json", "tap=tap0:ok", "rootfs_rw=ok", "kernel_r=ok",
                           "kvm=10:232:4321:4322", "urandom=1:9:4321:4322", "tun=10:200:4321:4322"})
    EXPECT_NE(line.find(want), std::string::npos) << want << " not in: " << line;
  // What the host sees from outside: the chroot, the VM's netns, the tag.
  const int pid = RecordedPid(berth_, "fc1");
  ASSERT_TRUE(Alive(pid));
  const std::string chroot = berth_.state() + "/jail/firecracker/fc1/root";
  EXPECT_EQ(Sh("readlink /proc/" + std::to_string(pid) + "/root").out, chroot + "\n");
  struct stat ns {};
  ASSERT_EQ(::stat("/run/netns/berth-fc1", &ns), 0);
  EXPECT_EQ(Sh("readlink /proc/" + std::to_string(pid) + "/ns/net").out, "net:[" + std::to_string(ns.st_ino) + "]\n");
  EXPECT_EQ(Sh("tr '\\0' '\\n' < /proc/" + std::to_string(pid) + "/environ | grep -x BERTH_OWNER=VM/fc1").status, 0);
  // The rootfs is the VM's own copy, and the config matches Firecracker's API schema for the fields berth writes.
  EXPECT_EQ(Sh("stat -c %u:%g " + chroot + "/rootfs.ext4").out, "4321:4322\n");
  auto valid = Sh("python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), "
                  "json.load(open(sys.argv[2])))' " + chroot + "/config.json " + kGuestDir +
                  "/firecracker-config.schema.json");
  EXPECT_EQ(valid.status, 0) << valid.out << ReadFile(chroot + "/config.json");
  auto config = nlohmann::json::parse(ReadFile(chroot + "/config.json"));
  EXPECT_EQ(config["network-interfaces"][0]["host_dev_name"], "tap0");
  EXPECT_NE(config["boot-source"]["boot_args"].get<std::string>().find("ip=10.171.0.10::10.171.0.1:255.255.255.0::eth0:off"),
            std::string::npos);
  EXPECT_EQ(berth_.Run("plan --detailed-exitcode -f " + dir + opts).status, 0);

  // Removal stops it and removes the jail.
  const std::string empty = berth_.WriteManifest("fc.yaml", "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr9}\nspec: {address: 10.171.0.1/24}\n");
  r = berth_.Run("apply --allow-mass-delete -f " + empty + opts);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(Alive(pid));
  struct stat st {};
  EXPECT_NE(::stat((berth_.state() + "/jail/firecracker/fc1").c_str(), &st), 0);
}
#endif

}  // namespace
}  // namespace berth::itest
