// A jail's structured dns on the simulated FreeBSD host: search domains and options land in the resolv.conf
// under the jail's path, a change is repaired in place, and a second plan is empty.
#include <gtest/gtest.h>

#include "model/load.h"
#include "tests/unit/freebsd/freebsd_fixture.h"

namespace berth::drivers::freebsd::testing {
namespace {

model::Manifest JailWithDns(const std::string& dns) {
  const std::string text = R"(apiVersion: berth/v1
kind: Bridge
metadata: {name: bridge0}
spec: {address: 10.11.0.1/16}
---
apiVersion: berth/v1
kind: Jail
metadata: {name: web}
spec:
  path: /usr/local/jails/web
  network:
    interfaces: [{name: vnet0, bridge: bridge0, address: 10.11.0.10/16}]
    defaultRouter: 10.11.0.1
    dns: )" + dns + "\n";
  auto loaded = model::LoadManifestText(text, "jail.yaml", {});
  for (const auto& d : loaded.diagnostics) ADD_FAILURE() << d.ToString();
  return loaded.manifest;
}

std::string ResolvConf(const Host& host) {
  auto files = host.sim.state().files;
  auto it = files.find("/usr/local/jails/web/etc/resolv.conf");
  return it == files.end() ? "(missing)" : it->second;
}

TEST(FreeBsdDns, SearchAndOptionsAreWrittenUnderTheJailsPath) {
  Host host;
  const auto manifest = JailWithDns("{servers: [10.11.0.1], search: [jails.example], options: [ndots:2, edns0]}");
  ASSERT_TRUE(host.Converge(&manifest));
  EXPECT_EQ(ResolvConf(host),
            "# written by berth\nnameserver 10.11.0.1\nsearch jails.example\noptions ndots:2 edns0\n");
  EXPECT_FALSE(host.Plan(&manifest).HasWork());

  const auto changed = JailWithDns("{servers: [10.11.0.1], search: [other.example]}");
  auto plan = host.Plan(&changed);
  ASSERT_TRUE(plan.HasWork());
  for (const auto& s : plan.steps) EXPECT_EQ(s.key().kind, "file") << Steps(plan);
  ASSERT_TRUE(host.Converge(&changed));
  EXPECT_EQ(ResolvConf(host), "# written by berth\nnameserver 10.11.0.1\nsearch other.example\n");
  EXPECT_FALSE(host.Plan(&changed).HasWork());
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
