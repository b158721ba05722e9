// A watch pass records an allocation that moved without a host change (a full-mode VM's fixed address has no
// footprint on the host): berth show reads the state directory and must report what the guest boots with.
#include <gtest/gtest.h>

#include <filesystem>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "reconciler/controller.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

using namespace std::chrono_literals;

TEST(ControllerAllocations, AMovedAddressWithoutHostWorkIsSaved) {
  const auto dir = std::filesystem::temp_directory_path() / ("berth-controller-alloc-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto platform = MakeLinuxPlatform();
  drivers::sim::SimHost host;
  StateDir state(dir.string());
  Controller controller(*platform, host, state, ControllerOptions{});
  model::Manifest manifest;
  manifest.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
  manifest.vms.push_back(testing::MakeVm("vm1", "fcbr0", model::NetworkMode::kFull, "10.168.0.10/24"));
  controller.SetManifest(manifest);
  const PassClock start = PassClock::Now();
  ASSERT_TRUE(controller.Pass(start).converged);
  manifest.vms[0] = testing::MakeVm("vm1", "fcbr0", model::NetworkMode::kFull, "10.168.0.11/24");
  controller.SetManifest(manifest);
  PassReport second = controller.Pass({start.steady + 1ms, start.wall + 1ms});
  EXPECT_TRUE(second.converged) << (second.errors.empty() ? "" : second.errors[0]);
  auto saved = state.LoadAllocations();
  ASSERT_TRUE(saved);
  ASSERT_TRUE(saved->by_interface.count("VM/vm1"));
  EXPECT_EQ(saved->by_interface.at("VM/vm1").address.ToString(), "10.168.0.11/24")
      << "applied: " << second.applied;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::reconciler
