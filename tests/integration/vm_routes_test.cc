// A VM's extra routes (spec.network.routes) against the kernel: the guest holds them, so berth delivers them in
// the launcher's result file after the default route, shows them in `show` and the plan, and a change of routes
// alone leaves the VM's devices as they are (same TAP ifindex: nothing was made again).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

std::string Manifest(const std::string& routes) {
  return "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: rtbr0}\nspec: {address: 10.183.0.1/24}\n---\n"
         "apiVersion: berth/v1\nkind: VM\nmetadata: {name: rt1}\nspec:\n  network:\n    bridge: rtbr0\n"
         "    routes: " + routes + "\n";
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

class VmRoutesTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  BerthCli berth_;
};

TEST_F(VmRoutesTest, ResultFileShowAndPlanCarryTheRoutesAndAChangeKeepsTheDevices) {
  berth_.WriteManifest("all.yaml", Manifest("[{to: 10.20.0.0/16, via: 10.183.0.254}]"));
  auto plan = berth_.Run("plan -f " + berth_.manifests());
  ASSERT_EQ(plan.status, 0) << plan.out;
  EXPECT_NE(plan.out.find("route 10.20.0.0/16 via 10.183.0.254"), std::string::npos) << plan.out;
  auto r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string record = berth_.results() + "/rt1.json";
  auto j = ReadJson(record);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["routes"], nlohmann::json::parse(R"([{"to": "0.0.0.0/0", "via": "10.183.0.1"},
                                                   {"to": "10.20.0.0/16", "via": "10.183.0.254"}])"));
  auto valid = Sh("python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), "
                  "json.load(open(sys.argv[2])))' " + record + " " BERTH_SOURCE_DIR "/schemas/result.schema.json");
  EXPECT_EQ(valid.status, 0) << valid.out;
  EXPECT_EQ(berth_.Vms()["rt1"]["routes"],
            nlohmann::json::parse(R"([{"to": "10.20.0.0/16", "via": "10.183.0.254"}])"));
  // The netns holds no route of the guest's: eth0 only redirects frames to the TAP.
  EXPECT_EQ(Sh("ip -n berth-rt1 -4 route show").out, "");
  const std::string tap = Sh("ip -n berth-rt1 -o link show tap0 | cut -d: -f1").out;
  ASSERT_FALSE(tap.empty());

  berth_.WriteManifest("all.yaml", Manifest("[{to: 10.20.0.0/16, via: 10.183.0.253}, {to: 192.0.2.0/24, via: 10.183.0.1}]"));
  r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Sh("ip -n berth-rt1 -o link show tap0 | cut -d: -f1").out, tap);  // not made again
  j = ReadJson(record);
  EXPECT_EQ(j["routes"], nlohmann::json::parse(R"([{"to": "0.0.0.0/0", "via": "10.183.0.1"},
                                                   {"to": "10.20.0.0/16", "via": "10.183.0.253"},
                                                   {"to": "192.0.2.0/24", "via": "10.183.0.1"}])"));
  EXPECT_EQ(berth_.Vms()["rt1"]["routes"].size(), 2u);
}

}  // namespace
}  // namespace berth::itest
