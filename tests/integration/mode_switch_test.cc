// A mode switch is one word: outbound -> disabled -> outbound with nothing else edited keeps the VM's address
// and MAC, and each plan holds only what the switch removes or adds.
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

constexpr const char* kBridge = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: swbr0}
spec: {address: 10.181.0.1/24}
)";

/// sw1 in `mode`, and sw2 that stays outbound (so the bridge's shared rules stay too).
std::string VmYaml(const std::string& mode) {
  return "apiVersion: berth/v1\nkind: VM\nmetadata: {name: sw1}\nspec:\n  network: {bridge: swbr0, mode: " + mode +
         ", dns: [10.181.0.1]}\n---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: sw2}\nspec:\n"
         "  network: {bridge: swbr0}\n";
}

/// The "kind:scope/name action" of every change of a JSON plan.
std::set<std::string> Changes(const nlohmann::json& plan) {
  std::set<std::string> out;
  for (const auto& c : plan.at("changes"))
    out.insert(c.at("kind").get<std::string>() + ":" + c.at("scope").get<std::string>() + "/" +
               c.at("name").get<std::string>() + " " + c.at("action").get<std::string>());
  return out;
}

class ModeSwitchTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  nlohmann::json PlanJson() {
    auto r = berth_.Run("plan -o json -f " + berth_.manifests());
    EXPECT_EQ(r.status, 0) << r.out;
    auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  BerthCli berth_;
};

TEST_F(ModeSwitchTest, OutboundDisabledOutboundKeepsAddressAndMac) {
  berth_.WriteManifest("bridge.yaml", kBridge);
  berth_.WriteManifest("vm.yaml", VmYaml("outbound"));
  auto r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  const auto first = berth_.Vms().at("sw1");
  const std::string address = first.at("address"), mac = first.at("mac");
  ASSERT_FALSE(address.empty());
  ASSERT_NE(Sh("ip -n berth-sw1 link show eth0").out.find(mac), std::string::npos);

  // One word: outbound -> disabled. The plan removes the link to the bridge and the VM's rules, takes lo
  // down, and touches nothing else (the bridge, its address, the DNS file and the netns stay).
  berth_.WriteManifest("vm.yaml", VmYaml("disabled"));
  auto plan = PlanJson();
  EXPECT_EQ(Changes(plan), (std::set<std::string>{"link:/bv-sw1 delete", "link:berth-sw1/lo update",
                                                   "link:berth-sw1/tap0 delete", "nft:/vm/sw1 delete",
                                                   "tc:berth-sw1/eth0 delete", "tc:berth-sw1/tap0 delete"}))
      << plan.at("changes").dump(1);
  EXPECT_EQ(plan.at("allocations").at("VM/sw1").at("address"), address) << "the address stays allocated";
  EXPECT_EQ(plan.at("allocations").at("VM/sw1").at("mac"), mac);
  for (const auto& c : plan.at("changes")) {
    if (c.at("action") != "delete") continue;
    EXPECT_NE(c.at("reason").get<std::string>().find("no longer wanted by VM/sw1"), std::string::npos) << c.dump();
  }
  r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(Sh("ip netns list").out.find("berth-sw1"), std::string::npos);
  EXPECT_NE(Sh("ip link show bv-sw1").status, 0);
  EXPECT_EQ(Sh("ip -n berth-sw1 -o link show").out.find("tap0"), std::string::npos);
  EXPECT_NE(Sh("ip -n berth-sw1 -o link show lo").out.find("state DOWN"), std::string::npos);
  r = berth_.Run("plan --detailed-exitcode -f " + berth_.manifests());
  EXPECT_EQ(r.status, 0) << r.out;

  // And back: the same address and MAC, the plan creates only what the first switch removed.
  berth_.WriteManifest("vm.yaml", VmYaml("outbound"));
  plan = PlanJson();
  EXPECT_EQ(Changes(plan), (std::set<std::string>{"link:/bv-sw1 create", "link:berth-sw1/lo update",
                                                   "link:berth-sw1/tap0 create", "nft:/vm/sw1 create",
                                                   "tc:berth-sw1/eth0 create", "tc:berth-sw1/tap0 create"}))
      << plan.at("changes").dump(1);
  r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  const auto back = berth_.Vms().at("sw1");
  EXPECT_EQ(back.at("address"), address);
  EXPECT_EQ(back.at("mac"), mac);
  EXPECT_NE(Sh("ip -n berth-sw1 link show eth0").out.find(mac), std::string::npos);
  r = berth_.Run("plan --detailed-exitcode -f " + berth_.manifests());
  EXPECT_EQ(r.status, 0) << r.out;
}

}  // namespace
}  // namespace berth::itest
