// berth watch as a child process against the kernel: manifest changes (including git-style renames), drift
// repaired without a manifest change, broken manifests changing nothing, metrics, and SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "tests/integration/cli_env.h"

extern char** environ;

namespace berth::itest {
namespace {

#ifdef BERTH_BINARY
const char* kBinary = BERTH_BINARY;
#else
const char* kBinary = "berth";
#endif
constexpr int kMetricsPort = 19464;
const std::string kNetwork = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: wbr0}
spec: {address: 10.77.0.1/24}
---
apiVersion: berth/v1
kind: NAT
metadata: {name: wbr0-out}
spec: {source: {bridge: wbr0}}
)";

std::string Vm(const std::string& name, const std::string& mode) {
  const std::string bridge = mode == "loopback" || mode == "disabled" ? "" : "bridge: wbr0, ";
  return "apiVersion: berth/v1\nkind: VM\nmetadata: {name: " + name + "}\nspec:\n  network: {" + bridge +
         "mode: " + mode + "}\n";
}

/// Polls `condition` every 20 ms for up to 20 s: the watch reacts in milliseconds, the bound only keeps a
/// broken build from hanging the suite. Never a timing assertion.
bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

bool Ok(const std::string& cmd) { return Sh(cmd).status == 0; }

std::string HttpGet(const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(kMetricsPort);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET " + path + " HTTP/1.0\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

/// The value of an unlabelled (or exactly labelled) metric line, -1 when absent.
double Metric(const std::string& name) {
  std::string text = HttpGet("/metrics");
  auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

class WatchTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    char tmpl[] = "/tmp/berth-watch-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    Sh("mkdir -p " + dir_ + "/m");
    Write("network.yaml", kNetwork);
    Write("vm1.yaml", Vm("wvm1", "outbound"));
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    Sh("rm -rf " + dir_);
    SandboxTest::TearDown();
  }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/m/" + name) << text; }
  void Start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {kBinary, "watch", "-f", dir_ + "/m", "--state-dir", dir_ + "/state",
                                      "--lock-dir", dir_ + "/state", "--gc-grace", "0",
                                      "--metrics", "127.0.0.1:" + std::to_string(kMetricsPort)};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ + "/watch.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_EQ(posix_spawn(&pid_, kBinary, &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_TRUE(Eventually([] { return Ok("ip -n berth-wvm1 link show tap0"); })) << Log();
  }
  std::string Log() { return Sh("cat " + dir_ + "/watch.log").out; }
  /// SIGTERM, then the exit status (bounded wait).
  int Stop() {
    ::kill(pid_, SIGTERM);
    int status = -1;
    for (int i = 0; i < 1500 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string dir_;
  pid_t pid_ = -1;
};

TEST_F(WatchTest, FollowsManifestChanges) {
  Start();
  Write("vm2.yaml", Vm("wvm2", "outbound"));
  EXPECT_TRUE(Eventually([] { return Ok("ip link show bv-wvm2 && ip -n berth-wvm2 link show tap0"); })) << Log();
  Write("vm2.yaml", Vm("wvm2", "loopback"));  // mode change: its interfaces go, its netns stays
  EXPECT_TRUE(Eventually([] { return !Ok("ip link show bv-wvm2") && Ok("ip netns list | grep -q berth-wvm2"); }))
      << Log();
  Sh("rm " + dir_ + "/m/vm2.yaml");
  EXPECT_TRUE(Eventually([] { return !Ok("ip netns list | grep -q berth-wvm2"); })) << Log();
  // git-style: the new content arrives as a rename over the old file.
  std::ofstream(dir_ + "/m/.vm1.yaml.tmp") << Vm("wvm1", "full");
  Sh("mv " + dir_ + "/m/.vm1.yaml.tmp " + dir_ + "/m/vm1.yaml");
  // full: the VM keeps its policy chains, but nothing about inbound traffic in the forward chain.
  EXPECT_TRUE(Eventually([] { return !Ok("nft list chain inet berth forward | grep -q 'berth:vm/wvm1'"); })) << Log();
  EXPECT_EQ(Stop(), 0);
}

TEST_F(WatchTest, RepairsDriftWithoutManifestChanges) {
  Start();
  ASSERT_TRUE(Ok("ip -n berth-wvm1 link del tap0"));
  EXPECT_TRUE(Eventually([] { return Ok("ip -n berth-wvm1 link show tap0"); })) << Log();
  ASSERT_TRUE(Ok("nft flush ruleset"));
  EXPECT_TRUE(Eventually([] { return Ok("nft list table inet berth | grep -q masquerade"); })) << Log();
  ASSERT_TRUE(Ok("nft add rule inet berth postrouting ip saddr 10.77.0.0/24 oifname != wbr0 masquerade "
                 "comment '\"berth:nat/wbr0-out\"'"));
  EXPECT_TRUE(Eventually([] { return Sh("nft list table inet berth | grep -c masquerade").out == "1\n"; })) << Log();
  EXPECT_TRUE(Eventually([] { return Metric("berth_drift_repairs_total") >= 3; })) << HttpGet("/metrics");
  EXPECT_NE(HttpGet("/healthz").find("200 OK"), std::string::npos);
  EXPECT_EQ(Stop(), 0);
}

// tc drift inside a VM's netns (its tbf shapers, its redirect filter) comes through the change feed: with the
// resync an hour away, only a tc event can start the repairing pass within the 20 s bound.
TEST_F(WatchTest, RepairsTcDriftFromItsEvents) {
  Write("vm1.yaml", "apiVersion: berth/v1\nkind: VM\nmetadata: {name: wvm1}\nspec:\n  network: {bridge: wbr0, "
                    "mode: outbound, bandwidth: {egress: 20mbit, ingress: 10mbit}}\n");
  Start({"--resync", "3600"});
  auto qdisc = [](const std::string& dev) { return Sh("tc -n berth-wvm1 qdisc show dev " + dev + " root").out; };
  // Both redirects as they should be: eth0's ingress to tap0 and tap0's to eth0.
  auto redirects_ok = [] {
    auto to = [](const std::string& from, const std::string& target) {
      return Sh("tc -n berth-wvm1 filter show dev " + from + " ingress").out.find("Redirect to device " + target) !=
             std::string::npos;
    };
    return to("eth0", "tap0") && to("tap0", "eth0");
  };
  ASSERT_TRUE(Eventually([&] { return qdisc("tap0").find("tbf") != std::string::npos; })) << Log();
  ASSERT_TRUE(Eventually([&] { return qdisc("eth0").find("rate 20Mbit") != std::string::npos; })) << Log();
  ASSERT_TRUE(redirects_ok());

  ASSERT_TRUE(Ok("tc -n berth-wvm1 qdisc del dev tap0 root"));
  EXPECT_TRUE(Eventually([&] { return qdisc("tap0").find("rate 10Mbit") != std::string::npos; })) << Log();
  ASSERT_TRUE(Ok("tc -n berth-wvm1 qdisc change dev eth0 root tbf rate 1mbit burst 32kb latency 50ms"));
  EXPECT_TRUE(Eventually([&] { return qdisc("eth0").find("rate 20Mbit") != std::string::npos; })) << Log();
  // One redirect's action sent elsewhere (a filter whose target changed, not one that went), then one removed.
  ASSERT_TRUE(Ok("tc -n berth-wvm1 actions change action mirred egress redirect dev lo index 1"));
  EXPECT_TRUE(Eventually(redirects_ok)) << Log();
  ASSERT_TRUE(Ok("tc -n berth-wvm1 filter del dev tap0 ingress"));
  EXPECT_TRUE(Eventually(redirects_ok)) << Log();
  EXPECT_EQ(Log().rfind("resync"), Log().find("resync_s"));  // no pass was a resync: the start line is the only mention
  EXPECT_EQ(Stop(), 0);
}

TEST_F(WatchTest, BrokenManifestsChangeNothingUntilFixed) {
  Start();
  Write("vm2.yaml", "apiVersion: berth/v1\nkind: VM\nmetadata: {name: wvm2}\nspec: {network: {bridge: nope}}\n");
  EXPECT_TRUE(Eventually([] { return Metric("berth_manifests_valid") == 0; })) << Log();
  EXPECT_FALSE(Ok("ip netns list | grep -q berth-wvm2"));
  EXPECT_TRUE(Ok("ip -n berth-wvm1 link show tap0"));  // the last good manifests still hold
  EXPECT_NE(Log().find("vm2.yaml:4:"), std::string::npos) << Log();
  Write("vm2.yaml", Vm("wvm2", "outbound"));
  EXPECT_TRUE(Eventually([] { return Ok("ip -n berth-wvm2 link show tap0"); })) << Log();
  EXPECT_EQ(Metric("berth_manifests_valid"), 1);
  EXPECT_EQ(Stop(), 0);
}

TEST_F(WatchTest, SigtermDuringALargeApplyLeavesAConsistentHost) {
  Start();
  for (int i = 0; i < 60; ++i) Write("bulk" + std::to_string(i) + ".yaml", Vm("wb" + std::to_string(i), "outbound"));
  EXPECT_TRUE(Eventually([] { return Ok("ip netns list | grep -q berth-wb"); })) << Log();
  EXPECT_EQ(Stop(), 0) << Log();
  // Whatever the pass got to, a plan now shows only the rest: creations, nothing to repair or remove.
  CmdResult plan = Sh(std::string(kBinary) + " plan -o json -f " + dir_ + "/m --state-dir " + dir_ + "/state");
  ASSERT_EQ(plan.status, 0) << plan.out;
  auto j = nlohmann::json::parse(plan.out);
  EXPECT_EQ(j["summary"]["delete"], 0);
  EXPECT_EQ(j["summary"]["collect"], 0);
  EXPECT_EQ(j["summary"]["conflict"], 0);
  CmdResult apply = Sh(std::string(kBinary) + " apply -f " + dir_ + "/m --state-dir " + dir_ + "/state --lock-dir " +
                       dir_ + "/state");
  EXPECT_EQ(apply.status, 0) << apply.out;
}

}  // namespace
}  // namespace berth::itest
