// Helpers for integration tests: running independent tools (ip, tc, nft) and reading their JSON, building
// Linux resources by hand, and resetting the sandbox between tests. Only ever used inside sandbox.sh.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/linux/linux_driver.h"
#include "reconciler/driver.h"
#include "reconciler/resource.h"

namespace berth::itest {

struct CmdResult {
  int status = -1;  // exit code
  std::string out;  // stdout and stderr
};

/// Runs a shell command (inside the sandbox) and returns its exit code and combined output.
CmdResult Sh(const std::string& cmd);
/// Runs `cmd`, expects exit 0 and parses its stdout as JSON (null when empty).
nlohmann::json ShJson(const std::string& cmd);

/// Dies unless the process runs inside sandbox.sh's namespaces: these tests wipe the network they see.
void RequireSandbox();
/// A TCP socket listening on every address of this namespace at `port` (a host service a VM may or may not
/// reach), or -1.
int ListenTcp(uint16_t port);
/// Waits at most 5 s for a bridge port to forward (STP's learning states drop frames); false if it does not.
bool WaitBridgePortForwarding(const std::string& port);
/// Bridge netfilter's per-netns switch (net.bridge.bridge-nf-call-iptables). br_netfilter is a module the whole
/// machine shares, so the tests never load it: without it the switch is absent, which is "off".
enum class BridgeNetfilter { kSet, kAbsent, kFailed };
BridgeNetfilter SetBridgeNetfilter(bool on);
/// The "upstream" netns: a veth from the host's up0 (`host_side`/24) to its eth0 (`upstream`/24), lo up, and
/// `extra` (more commands, each starting with " && ") run after; the status of the whole.
int AddUpstream(const std::string& host_side, const std::string& upstream, const std::string& extra);
/// Removes every namespace, non-loopback link, nftables table and /etc/netns entry the sandbox has.
void ResetSandbox();

reconciler::Resource Res(const std::string& kind, const std::string& scope, const std::string& name,
                         reconciler::Attrs attrs, const std::string& origin = "VM/test");

/// The resources of one VM as the Linux expansion writes them (netns, lo, veth, tap, tc both ways).
std::vector<reconciler::Resource> VmResources(const std::string& vm, const std::string& bridge,
                                              const std::string& mac, const std::string& mtu = "");
std::vector<reconciler::Resource> BridgeResources(const std::string& bridge, const std::string& cidr,
                                                  const std::string& mtu = "");

/// Applies `resources` with `op` in one batch per kind, in vocabulary dependency order for creates (files,
/// netns, links, addrs, tc, nft) and reverse for deletes; fails the test on any error.
void ApplyAll(reconciler::Driver& driver, const std::vector<reconciler::Resource>& resources,
              reconciler::Op op = reconciler::Op::kCreate);
/// Applies one action and returns its error, if any.
std::optional<reconciler::DriverError> ApplyOne(reconciler::Driver& driver, const reconciler::Resource& r,
                                                reconciler::Op op, std::vector<std::string> fields = {});

reconciler::ObservedState ObserveOk(reconciler::Driver& driver, bool facts = true);

/// Base fixture: a clean sandbox and a fresh driver per test.
class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ResetSandbox();
    driver_ = drivers::lnx::MakeLinuxDriver();
  }
  void TearDown() override { ResetSandbox(); }
  std::unique_ptr<reconciler::Driver> driver_;
};

}  // namespace berth::itest
