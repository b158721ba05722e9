// Namespaces are read on several threads (one per core on a large host): the observation must be the one a
// single thread makes, with every VM's eth0 folded into its host veth, whatever thread read its namespace.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "drivers/linux/linux_driver.h"
#include "drivers/linux/platform/linux_resources.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

namespace lr = reconciler::linux_res;

class ThreadedObserveTest : public SandboxTest {};

std::string Mac(int i) {
  char mac[18];
  std::snprintf(mac, sizeof mac, "06:00:0a:a8:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
  return mac;
}

TEST_F(ThreadedObserveTest, ThreadsSeeWhatOneThreadSees) {
  constexpr int kVms = 12;
  std::vector<reconciler::Resource> all = BridgeResources("fcbr0", "10.168.0.1/24");
  for (int i = 1; i <= kVms; ++i)
    for (auto& r : VmResources("vm" + std::to_string(i), "fcbr0", Mac(i + 1))) all.push_back(r);
  ApplyAll(*driver_, all);

  drivers::lnx::LinuxDriverOptions one, four;
  one.observe_threads = 1;
  four.observe_threads = 4;
  auto single = drivers::lnx::MakeLinuxDriver(one)->Observe({});
  auto threaded = drivers::lnx::MakeLinuxDriver(four)->Observe({});
  ASSERT_TRUE(single.ok() && threaded.ok());
  EXPECT_EQ(single->resources, threaded->resources);

  for (int i = 1; i <= kVms; ++i) {
    const std::string vm = "vm" + std::to_string(i), ns = "berth-" + vm;
    const reconciler::Resource* veth = threaded->Find({lr::kLink, "", "bv-" + vm});
    ASSERT_TRUE(veth) << vm;
    EXPECT_EQ(veth->AttrOr(lr::kPeerNetns), ns);  // folded with the peer its own thread read
    EXPECT_EQ(veth->AttrOr(lr::kPeerMac), Mac(i + 1));
    EXPECT_TRUE(threaded->Find({lr::kLink, ns, "tap0"})) << vm;
    EXPECT_TRUE(threaded->Find({lr::kTc, ns, "eth0"})) << vm;
  }
}

}  // namespace
}  // namespace berth::itest
