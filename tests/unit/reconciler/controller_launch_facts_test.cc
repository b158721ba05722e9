// The watch pass asks for the host's launch facts (on Linux a KVM probe that can take seconds) only while a
// manifest VM launches a hypervisor; the facts it gets then still hold back what cannot launch.
#include <gtest/gtest.h>

#include <filesystem>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "reconciler/controller.h"
#include "tests/unit/reconciler/manifest_builder.h"

namespace berth::reconciler {
namespace {

/// Passes everything to the simulated host and records what each Observe asked for.
class RecordingDriver final : public Driver {
 public:
  explicit RecordingDriver(Driver& inner) : inner_(inner) {}
  Capabilities capabilities() const override { return inner_.capabilities(); }
  Result<ObservedState, DriverError> Observe(const ObserveRequest& request) override {
    if (request.host_facts) launch_facts.push_back(request.launch_facts);
    return inner_.Observe(request);
  }
  ApplyResponse Apply(const ApplyRequest& request) override { return inner_.Apply(request); }

  std::vector<bool> launch_facts;  // per observation with host facts

 private:
  Driver& inner_;
};

class ControllerLaunchFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("berth-launch-facts-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    manifest_.bridges.push_back(testing::MakeBridge("fcbr0", "10.168.0.1/24"));
    manifest_.nats.push_back(testing::MakeNat("nat0", "fcbr0"));
    manifest_.vms.push_back(testing::MakeVm("vm1", "fcbr0"));
    HostFacts facts;
    facts.launch_blockers["kvm"] = "/dev/kvm cannot run a guest";
    host_.AddFacts(facts);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  PassReport Pass(const model::Manifest& manifest) {
    Controller controller(*platform_, driver_, StateDir(dir_.string()), ControllerOptions{});
    controller.SetManifest(manifest);
    return controller.Pass(PassClock::Now());
  }

  std::filesystem::path dir_;
  std::unique_ptr<Platform> platform_ = MakeLinuxPlatform();
  drivers::sim::SimHost host_;
  RecordingDriver driver_{host_};
  model::Manifest manifest_;
};

TEST_F(ControllerLaunchFactsTest, NetworksAloneAreObservedWithoutThem) {
  PassReport r = Pass(manifest_);
  EXPECT_TRUE(r.converged) << (r.errors.empty() ? "" : r.errors[0]);
  EXPECT_EQ(driver_.launch_facts, std::vector<bool>{false});
}

TEST_F(ControllerLaunchFactsTest, AVmThatLaunchesGetsThemAndIsHeldBackByThem) {
  model::Manifest manifest = manifest_;
  manifest.vms[0].firecracker = model::Firecracker{"/boot/vmlinux", "/srv/rootfs.ext4", 1, 128, "", std::nullopt};
  PassReport r = Pass(manifest);
  EXPECT_EQ(driver_.launch_facts, std::vector<bool>{true});
  EXPECT_EQ(r.failed, 0);
  EXPECT_FALSE(host_.Observe({})->Find({"vmproc", "", "vm1"})) << "a Firecracker VM launched without KVM";
  EXPECT_TRUE(host_.Observe({})->Find({"link", "berth-vm1", "tap0"})) << "its network converges all the same";
}

}  // namespace
}  // namespace berth::reconciler
