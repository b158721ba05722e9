// A jail's mode switch is one word, as a VM's is: a disabled or loopback jail may keep its interfaces (or ip4
// entries) and defaultRouter, holds no outside link meanwhile, and gets the same addresses back on the way home.
#include <gtest/gtest.h>

#include "tests/unit/freebsd/conformance.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

/// The jail "web" on bridge0 in `mode`, its address allocated from the pool (none written in the manifest).
model::Manifest WebIn(const std::string& mode) {
  const std::string text = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: bridge0}
spec: {address: 10.11.0.1/16, pool: 10.11.0.128/25}
---
apiVersion: berth/v1
kind: Jail
metadata: {name: web}
spec:
  path: /usr/local/jails/web
  network:
    mode: )" + mode + R"(
    defaultRouter: 10.11.0.1
    routes: [{to: 10.20.0.0/16, via: 10.11.0.254}]
    interfaces:
      - {name: vnet0, bridge: bridge0}
)";
  auto loaded = model::LoadManifestText(text, "web.yaml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

/// A non-VNET jail with one ip4 entry in `mode`.
model::Manifest LegacyIn(const std::string& mode) {
  const std::string text = R"(apiVersion: berth/v1
kind: Jail
metadata: {name: legacy}
spec:
  path: /usr/local/jails/legacy
  network:
    vnet: false
    mode: )" + mode + R"(
    ip4: ["em0|10.1.1.10/24"]
)";
  auto loaded = model::LoadManifestText(text, "legacy.yaml");
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

/// The lines of an ifconfig listing that berth sets: the MAC (ether) and the address (inet). The epair's
/// factory address (hwaddr) is new with every epair.
std::string MacAndAddress(const std::string& listing) {
  std::string out;
  size_t at = 0;
  while (at < listing.size()) {
    size_t end = listing.find('\n', at);
    if (end == std::string::npos) end = listing.size();
    const std::string line = listing.substr(at, end - at);
    if (line.starts_with("\tether ") || line.starts_with("\tinet ")) out += line + "\n";
    at = end + 1;
  }
  return out;
}

std::string Touched(const reconciler::Plan& plan) {
  std::string out;
  for (const auto& s : plan.steps) out += std::string(reconciler::ToString(s.op)) + " " + s.key().ToString() + "\n";
  return out;
}

TEST(FreeBsdJailModeSwitch, OutboundToDisabledAndBackKeepsTheAddress) {
  Host host;
  const model::Manifest outbound = WebIn("outbound");
  ASSERT_TRUE(host.Converge(&outbound));
  const std::string address = MacAndAddress(Out(host.sim, "ifconfig -j web vnet0"));
  ASSERT_NE(address.find("inet 10.11.0.1"), std::string::npos) << address;  // from the pool, .128 and up
  const int jid = JidOf(host, "web");

  const model::Manifest disabled = WebIn("disabled");
  auto plan = host.Plan(&disabled);
  EXPECT_EQ(Touched(plan).find("create"), std::string::npos) << "a switch to disabled only removes:\n" << Touched(plan);
  ASSERT_TRUE(host.Converge(&disabled));
  EXPECT_FALSE(host.Plan(&disabled).HasWork()) << Steps(host.Plan(&disabled));
  EXPECT_EQ(Out(host.sim, "ifconfig -j web -l"), "lo0\n");
  EXPECT_EQ(host.allocations.by_interface.count("Jail/web/vnet0"), 1u) << "the address stays allocated";

  ASSERT_TRUE(host.Converge(&outbound));
  EXPECT_FALSE(host.Plan(&outbound).HasWork()) << Steps(host.Plan(&outbound));
  EXPECT_EQ(MacAndAddress(Out(host.sim, "ifconfig -j web vnet0")), address) << "the same address and MAC come back";
  EXPECT_EQ(JidOf(host, "web"), jid) << "the jail kept its processes through both switches";
}

TEST(FreeBsdJailModeSwitch, ADisabledNonVnetJailHoldsNoAddress) {
  Host host;
  const model::Manifest disabled = LegacyIn("disabled");
  ASSERT_TRUE(host.Converge(&disabled));
  EXPECT_EQ(Out(host.sim, "ifconfig em0").find("10.1.1.10"), std::string::npos) << Out(host.sim, "ifconfig em0");
  const model::Manifest outbound = LegacyIn("outbound");
  ASSERT_TRUE(host.Converge(&outbound));
  EXPECT_NE(Out(host.sim, "ifconfig em0").find("inet 10.1.1.10"), std::string::npos) << Out(host.sim, "ifconfig em0");
  EXPECT_FALSE(host.Plan(&outbound).HasWork()) << Steps(host.Plan(&outbound));
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
