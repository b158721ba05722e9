// Policy rules as the kernel holds them (exactly once, collected when stale, gone after destroy), the reach
// `berth show` reports against the manifests', and `berth probe` agreeing with a test guest on the VM's TAP,
// with and without a guest holding the TAP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/linux/frames.h"
#include "model/load.h"
#include "drivers/linux/platform/linux_policy.h"
#include "tests/integration/cli_env.h"
#include "tests/integration/guest.h"

namespace berth::itest {
namespace {

namespace fr = drivers::lnx::frames;
const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/sandbox-policy";

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class PolicyCliTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    auto r = berth_.Run("apply -f " + kExample);
    ASSERT_EQ(r.status, 0) << r.out;
  }
  std::string Ruleset() { return Sh("nft list ruleset").out; }
  BerthCli berth_;
};

TEST_F(PolicyCliTest, RulesExistOnceAreCollectedWhenStaleAndGoWithDestroy) {
  const std::string first = Ruleset();
  EXPECT_EQ(Count(first, "table inet berth"), 1);
  EXPECT_EQ(Count(first, "table bridge berth"), 1);
  const int worker = Count(first, "\"berth:vm/sbx-worker\"");
  EXPECT_GT(worker, 10);
  auto again = berth_.Run("apply -f " + kExample);
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(Ruleset(), first) << "a second apply changed the rules";
  // Drift: a foreign edit to a VM's chain is repaired, not duplicated.
  ASSERT_EQ(Sh("nft flush chain bridge berth port-sbx-worker").status, 0);
  ASSERT_EQ(berth_.Run("apply -f " + kExample).status, 0);
  EXPECT_EQ(Ruleset(), first);
  // The VM goes: its chains, rules and set elements go with it; the other VM's stay.
  const std::string dir = berth_.WriteManifest("network.yaml", Sh("cat " + kExample + "/network.yaml").out);
  Sh("sed -n '1,/^---$/p' " + kExample + "/vms.yaml | sed '$d' > " + dir + "/vms.yaml");
  auto shrink = berth_.Run("apply -f " + dir);
  ASSERT_EQ(shrink.status, 0) << shrink.out;
  const std::string after = Ruleset();
  EXPECT_EQ(Count(after, "sbx-worker"), 0) << after;
  EXPECT_EQ(Count(after, "\"berth:vm/sbx-default\""), Count(first, "\"berth:vm/sbx-default\""));
  ASSERT_EQ(berth_.Run("destroy").status, 0);
  EXPECT_EQ(Count(Ruleset(), "berth"), 0) << Ruleset();
}

TEST_F(PolicyCliTest, ShowReportsTheReachTheManifestsAsk) {
  auto loaded = model::LoadManifests({kExample});
  ASSERT_FALSE(model::HasErrors(loaded.diagnostics));
  auto vms = berth_.Vms();
  for (const auto& vm : loaded.manifest.vms) {
    const auto& shown = vms[vm.doc.metadata.name];
    ASSERT_TRUE(shown.contains("reach")) << shown.dump();
    EXPECT_EQ(shown["reach"], model::DescribeReach(reconciler::linux_res::EffectivePolicyOf(vm, loaded.manifest.bridges[0])));
    EXPECT_EQ(shown["drops"]["spoof"], 0);
  }
  EXPECT_EQ(vms["sbx-worker"]["policy"]["peers"], "allow");
}

TEST_F(PolicyCliTest, PlanFlagsAWideningChange) {
  const std::string dir = berth_.WriteManifest("network.yaml", Sh("cat " + kExample + "/network.yaml").out);
  Sh("sed 's/- {protocol: tcp, port: \"8000-8099\"}/- {protocol: tcp, port: \"8000-8099\"}\\n        - {protocol: tcp, port: 2222}/' " +
     kExample + "/vms.yaml > " + dir + "/vms.yaml");
  auto plan = berth_.Run("--no-color plan -f " + dir);
  EXPECT_NE(plan.out.find("! VM/sbx-worker reach: host +tcp/2222"), std::string::npos) << plan.out;
  auto json = berth_.Run("plan -o json -f " + dir);
  auto j = nlohmann::json::parse(json.out.substr(json.out.find('{')), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.out;
  ASSERT_EQ(j["widens"].size(), 1u) << j["widens"].dump();
  EXPECT_EQ(j["widens"][0]["workload"], "VM/sbx-worker");
}

/// What a probe printed and how it exited.
struct Probed {
  std::string outcome;
  int status;
};

class ProbeTest : public PolicyCliTest {
 protected:
  void SetUp() override {
    PolicyCliTest::SetUp();
    if (IsSkipped()) return;
    for (const char* port : {"bv-sbx-default", "bv-sbx-worker"}) ASSERT_TRUE(WaitBridgePortForwarding(port)) << port;
    listener_ = ListenTcp(8000);
    ASSERT_GE(listener_, 0) << "cannot listen on tcp/8000";
  }
  void TearDown() override {
    if (listener_ >= 0) ::close(listener_);
    PolicyCliTest::TearDown();
  }
  Probed Probe(const std::string& args) {
    auto r = berth_.Run("probe " + args);
    std::string out = r.out.substr(0, r.out.find('\n'));
    return {out, r.status};
  }
  int listener_ = -1;
};

TEST_F(ProbeTest, ProbeSaysWhatTheKernelDoes) {
  struct Case {
    const char* args;
    const char* outcome;
    int status;
  } cases[] = {
      {"sbx-default icmp 10.80.0.1", "reply", 0},
      {"sbx-default tcp 10.80.0.1:8000", "silent", 1},
      {"sbx-worker tcp 10.80.0.1:8000", "open", 0},
      {"sbx-worker tcp 10.80.0.1:8001", "closed", 0},
      {"sbx-worker udp 10.80.0.1:8001", "silent", 1},
      {"sbx-default udp 169.254.169.254:80", "silent", 1},
      {"sbx-default tcp 10.80.0.11:22", "silent", 1},
  };
  for (bool with_guest : {false, true}) {
    std::unique_ptr<Guest> g1, g2;
    if (with_guest) {
      auto vms = berth_.Vms();
      auto ip = [&](const char* vm) {
        std::string a = vms[vm]["address"];
        return a.substr(0, a.find('/'));
      };
      g1 = std::make_unique<Guest>("berth-sbx-default", "tap0", vms["sbx-default"]["mac"], ip("sbx-default"));
      g2 = std::make_unique<Guest>("berth-sbx-worker", "tap0", vms["sbx-worker"]["mac"], ip("sbx-worker"));
      ASSERT_TRUE(g1->ok() && g2->ok());
    }
    for (const Case& c : cases) {
      Probed p = Probe(c.args);
      EXPECT_EQ(p.outcome, c.outcome) << c.args << (with_guest ? " (guest on the TAP)" : "");
      EXPECT_EQ(p.status, c.status) << c.args;
    }
  }
  // The knocks on the wall were counted, by reason, for the VM that knocked.
  auto drops = berth_.Vms()["sbx-default"]["drops"];
  EXPECT_GE(drops["host"].get<int>(), 2) << drops.dump();
  EXPECT_GE(drops["egress"].get<int>(), 2) << drops.dump();
  EXPECT_GE(drops["peers"].get<int>(), 2) << drops.dump();  // the ARP for a peer, on layer 2
  EXPECT_EQ(drops["spoof"].get<int>(), 0) << drops.dump();
  EXPECT_EQ(Probe("sbx-default tcp 10.80.0.1").status, 2) << "tcp without a port is a usage error";
  EXPECT_EQ(Probe("nosuchvm icmp 10.80.0.1").status, 2);
}

}  // namespace
}  // namespace berth::itest
