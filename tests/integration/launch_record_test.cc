// The launchers' result files against the kernel: apply and watch write NAME.json (schema-valid, 0644 in a
// 0755 directory) once a VM's network is converged and verified; berth wait returns it, or fails loudly at
// its deadline; the file follows a mode switch and goes with the VM.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

#ifdef BERTH_BINARY
const std::string kBinary = BERTH_BINARY;
#else
const std::string kBinary = "berth";
#endif

constexpr const char* kBridge = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: lrbr0}
spec: {address: 10.182.0.1/24, mtu: 1400}
)";

std::string VmYaml(const std::string& name, const std::string& mode) {
  return "apiVersion: berth/v1\nkind: VM\nmetadata: {name: " + name + "}\nspec:\n  network: {bridge: lrbr0, mode: " +
         mode + ", dns: [10.182.0.1]}\n";
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

class LaunchRecordTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
  }
  std::string Record(const std::string& vm) const { return berth_.results() + "/" + vm + ".json"; }
  BerthCli berth_;
};

TEST_F(LaunchRecordTest, ApplyWritesAVerifiedRecordThatWaitReturns) {
  berth_.WriteManifest("bridge.yaml", kBridge);
  berth_.WriteManifest("vms.yaml", VmYaml("lr1", "outbound") + "---\n" + VmYaml("lr2", "full"));
  auto r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(ModeOf(berth_.results()), 0755u);
  EXPECT_EQ(ModeOf(Record("lr1")), 0644u);
  auto j = ReadJson(Record("lr1"));
  ASSERT_TRUE(j.is_object()) << Sh("cat " + Record("lr1")).out;
  // The schema, with the real validator.
  auto valid = Sh("python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), "
                  "json.load(open(sys.argv[2])))' " + Record("lr1") + " " BERTH_SOURCE_DIR "/schemas/result.schema.json");
  EXPECT_EQ(valid.status, 0) << valid.out;
  // Every field against the kernel, read with independent tools.
  EXPECT_EQ(j["vm"], "lr1");
  EXPECT_EQ(j["netns"], "/run/netns/berth-lr1");
  EXPECT_EQ(Sh("test -e /run/netns/berth-lr1").status, 0);
  EXPECT_EQ(j["tap"], "tap0");
  EXPECT_EQ(Sh("ip -n berth-lr1 -o link show tap0 | grep -q 'mtu 1400'").status, 0);
  EXPECT_EQ(j["mtu"], 1400);
  const std::string mac = j["mac"];
  EXPECT_NE(Sh("ip -n berth-lr1 -o link show eth0").out.find(mac), std::string::npos);
  EXPECT_EQ(j["gateway"], "10.182.0.1");
  ASSERT_EQ(j["addresses"].size(), 1u);
  EXPECT_EQ(j["addresses"][0], berth_.Vms()["lr1"]["address"]);
  EXPECT_EQ(j["routes"], nlohmann::json::parse(R"([{"to": "0.0.0.0/0", "via": "10.182.0.1"}])"));
  EXPECT_EQ(j["dns"]["nameservers"], nlohmann::json::parse(R"(["10.182.0.1"])"));
  EXPECT_EQ(j["reach"], berth_.Vms()["lr1"]["reach"]);
  EXPECT_NE(ReadJson(Record("lr2"))["reach"], j["reach"]) << "full and outbound differ in inbound reach";

  r = Sh(kBinary + " wait lr1 --timeout 5 --result-dir " + berth_.results());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false), j);
  r = Sh(kBinary + " wait nosuch --timeout 0.3 --result-dir " + berth_.results());
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("timed out after 0.3 s"), std::string::npos) << r.out;
  r = Sh(kBinary + " wait ../etc/passwd --timeout 0 --result-dir " + berth_.results());
  EXPECT_EQ(r.status, 1) << r.out;

  // A record removed by hand comes back with the next apply, even when it has nothing to do.
  ASSERT_EQ(Sh("rm " + Record("lr2")).status, 0);
  r = berth_.Run("apply -f " + berth_.manifests());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(ReadJson(Record("lr2"))["vm"], "lr2");

  // A switch to disabled: no link, so no TAP, MAC, address or gateway; and back.
  berth_.WriteManifest("vms.yaml", VmYaml("lr1", "disabled") + "---\n" + VmYaml("lr2", "full"));
  ASSERT_EQ(berth_.Run("apply -f " + berth_.manifests()).status, 0);
  auto off = ReadJson(Record("lr1"));
  EXPECT_TRUE(off["tap"].is_null()) << off.dump();
  EXPECT_TRUE(off["addresses"].empty()) << off.dump();
  EXPECT_EQ(Sh("python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), "
               "json.load(open(sys.argv[2])))' " + Record("lr1") + " " BERTH_SOURCE_DIR "/schemas/result.schema.json").status,
            0);

  // The VM goes: so does its record; destroy removes the rest. Foreign files stay.
  ASSERT_EQ(Sh("echo keep > " + berth_.results() + "/notes.txt").status, 0);
  berth_.WriteManifest("vms.yaml", VmYaml("lr2", "full"));
  ASSERT_EQ(berth_.Run("apply --allow-mass-delete -f " + berth_.manifests()).status, 0);
  EXPECT_NE(Sh("test -e " + Record("lr1")).status, 0);
  EXPECT_EQ(Sh("test -e " + Record("lr2")).status, 0);
  ASSERT_EQ(berth_.Run("destroy").status, 0);
  EXPECT_EQ(Sh("ls " + berth_.results()).out, "notes.txt\n");
}

TEST_F(LaunchRecordTest, AResultDirectoryOthersCanWriteIsRefused) {
  berth_.WriteManifest("bridge.yaml", kBridge);
  berth_.WriteManifest("vms.yaml", VmYaml("lr1", "outbound"));
  ASSERT_EQ(Sh("mkdir -m 0777 " + berth_.results()).status, 0);
  auto r = berth_.Run("apply -f " + berth_.manifests());
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("writable by others"), std::string::npos) << r.out;
  EXPECT_NE(Sh("test -e " + Record("lr1")).status, 0);
  // A symlink in its place is refused too, never followed.
  ASSERT_EQ(Sh("rmdir " + berth_.results() + " && mkdir -m 0755 " + berth_.dir() + "/elsewhere && ln -s " +
               berth_.dir() + "/elsewhere " + berth_.results()).status, 0);
  r = berth_.Run("apply -f " + berth_.manifests());
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("symlink"), std::string::npos) << r.out;
  EXPECT_EQ(Sh("ls -A " + berth_.dir() + "/elsewhere").out, "");
}

TEST_F(LaunchRecordTest, WatchWritesTheRecordWaitBlocksFor) {
  berth_.WriteManifest("bridge.yaml", kBridge);
  const std::string log = berth_.dir() + "/watch.log", pid = berth_.dir() + "/watch.pid";
  // wait starts first: it blocks until the watch's first pass has converged and verified the VM.
  ASSERT_EQ(Sh("(" + kBinary + " wait lr3 --timeout 60 --result-dir " + berth_.results() + " > " + berth_.dir() +
               "/wait.out 2>&1; echo $? > " + berth_.dir() + "/wait.rc) </dev/null >/dev/null 2>&1 &").status,
            0);
  berth_.WriteManifest("vms.yaml", VmYaml("lr3", "outbound"));
  ASSERT_EQ(Sh("(" + kBinary + " watch -f " + berth_.manifests() + " --state-dir " + berth_.state() + " --lock-dir " +
               berth_.state() + " --result-dir " + berth_.results() + " --gc-grace 0 </dev/null >" + log +
               " 2>&1 & echo $! > " + pid + ")").status,
            0);
  // The wait has its own deadline (60 s); this loop only collects its exit code.
  auto rc = Sh("for i in $(seq 1 700); do [ -s " + berth_.dir() + "/wait.rc ] && break; sleep 0.1; done; cat " +
               berth_.dir() + "/wait.rc");
  EXPECT_EQ(rc.out, "0\n") << Sh("cat " + berth_.dir() + "/wait.out " + log).out;
  EXPECT_EQ(ReadJson(berth_.dir() + "/wait.out")["tap"], "tap0");
  // Drift the watch repairs: once repaired and verified, the record is there and the same.
  ASSERT_EQ(Sh("ip -n berth-lr3 link del tap0").status, 0);
  EXPECT_EQ(Sh("for i in $(seq 1 300); do ip -n berth-lr3 link show tap0 >/dev/null 2>&1 && exit 0; sleep 0.1; "
               "done; exit 1").status,
            0)
      << Sh("cat " + log).out;
  auto again = Sh(kBinary + " wait lr3 --timeout 30 --result-dir " + berth_.results());
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(nlohmann::json::parse(again.out, nullptr, false), ReadJson(berth_.dir() + "/wait.out"));
  ASSERT_EQ(Sh("kill -TERM $(cat " + pid + ") && for i in $(seq 1 300); do kill -0 $(cat " + pid +
               ") 2>/dev/null || exit 0; sleep 0.1; done; exit 1").status,
            0)
      << Sh("cat " + log).out;
}

}  // namespace
}  // namespace berth::itest
