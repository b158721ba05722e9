// Execution with one slow kind: N VMs applied to the simulated host, where every driver call that carries a
// step of KIND takes DELAY_MS longer (a VM launch, a slow firewall reload). Prints the wall time of Execute and
// the number of driver calls, median of 3 fresh hosts. Usage: exec_bench [VMS] [DELAY_MS] [KIND]
// (default 200 50 file). Results: bench/RESULTS.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#if __has_include("drivers/linux/platform/linux_platform.h")
#include "drivers/linux/platform/linux_platform.h"
#endif
#include "drivers/sim/sim_host.h"
#include "reconciler/executor.h"
#include "reconciler/planner.h"

namespace berth {
namespace {

/// The simulated host, slowed down for one kind; counts driver calls.
class SlowKindDriver final : public reconciler::Driver {
 public:
  SlowKindDriver(reconciler::Driver& inner, std::string kind, std::chrono::milliseconds delay)
      : inner_(inner), kind_(std::move(kind)), delay_(delay) {}
  reconciler::Capabilities capabilities() const override { return inner_.capabilities(); }
  Result<reconciler::ObservedState, reconciler::DriverError> Observe(const reconciler::ObserveRequest& r) override {
    return inner_.Observe(r);
  }
  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      ++calls;
    }
    for (const auto& a : request.actions)
      if (a.resource.key.kind == kind_) {
        std::this_thread::sleep_for(delay_);
        break;
      }
    return inner_.Apply(request);
  }
  int calls = 0;

 private:
  reconciler::Driver& inner_;
  std::string kind_;
  std::chrono::milliseconds delay_;
  std::mutex mutex_;
};

model::Manifest MakeManifest(int vms) {
  model::Manifest m;
  model::Bridge b;
  b.doc.kind = "Bridge";
  b.doc.metadata.name = "br0";
  b.address = *model::Cidr4::Parse("10.16.0.1/16");
  m.bridges.push_back(b);
  for (int i = 0; i < vms; ++i) {
    model::Vm vm;
    vm.doc.kind = "VM";
    vm.doc.metadata.name = "vm" + std::to_string(i);
    vm.network.bridge = "br0";
    vm.network.mode = model::NetworkMode::kOutbound;
    vm.network.dns = {"10.0.0.53"};
    m.vms.push_back(vm);
  }
  return m;
}

}  // namespace
}  // namespace berth

int main(int argc, char** argv) {
  using namespace berth;
  spdlog::set_level(spdlog::level::warn);
  const int vms = argc > 1 ? std::atoi(argv[1]) : 200;
  const auto delay = std::chrono::milliseconds(argc > 2 ? std::atoi(argv[2]) : 50);
  const std::string kind = argc > 3 ? argv[3] : "file";
  model::Manifest manifest = MakeManifest(vms);
  auto platform = reconciler::MakeLinuxPlatform();
  std::vector<double> ms;
  int calls = 0, steps = 0;
  for (int run = 0; run < 3; ++run) {
    drivers::sim::SimHost host;
    reconciler::PlanInput in;
    in.manifest = &manifest;
    in.allocations = reconciler::Allocate(manifest, {}).allocations;
    auto observed = host.Observe({});
    if (!observed) return 1;
    in.observed = std::move(*observed);
    auto plan = reconciler::MakePlan(*platform, std::move(in));
    if (!plan) return 1;
    SlowKindDriver driver(host, kind, delay);
    reconciler::ExecuteOptions options;
    options.parallelism = 2;
    const auto start = std::chrono::steady_clock::now();
    auto report = reconciler::Execute(*plan, driver, options);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!report.ok()) {
      std::fprintf(stderr, "exec_bench: the apply failed (%d failed, %d skipped)\n", report.failed, report.skipped);
      return 1;
    }
    calls = driver.calls;
    steps = int(plan->steps.size());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%d VMs, %d steps, %s +%lld ms per call, parallelism 2: Execute %.1f ms (median of 3; %.1f-%.1f), "
              "%d driver calls\n",
              vms, steps, kind.c_str(), static_cast<long long>(delay.count()), ms[1], ms[0], ms[2], calls);
  return 0;
}
