// Execution with slow kinds: N VMs applied to the simulated host, where every driver call that carries a step
// of a listed kind takes that kind's delay longer (a VM launch, a slow firewall reload). Prints the wall time
// of Execute and the number of driver calls, median of 3 fresh hosts.
// Usage: exec_bench [VMS] [KIND:MS,...]   (default: 200 nft:100,tc:20). Results: bench/RESULTS.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
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

/// The simulated host, slowed down per kind (once per call carrying the kind); counts driver calls.
class SlowKindDriver final : public reconciler::Driver {
 public:
  SlowKindDriver(reconciler::Driver& inner, std::map<std::string, std::chrono::milliseconds> delays)
      : inner_(inner), delays_(std::move(delays)) {}
  reconciler::Capabilities capabilities() const override { return inner_.capabilities(); }
  Result<reconciler::ObservedState, reconciler::DriverError> Observe(const reconciler::ObserveRequest& r) override {
    return inner_.Observe(r);
  }
  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      ++calls;
    }
    std::set<std::string> kinds;
    for (const auto& a : request.actions) kinds.insert(a.resource.key.kind);
    for (const auto& kind : kinds)
      if (auto it = delays_.find(kind); it != delays_.end()) std::this_thread::sleep_for(it->second);
    return inner_.Apply(request);
  }
  int calls = 0;

 private:
  reconciler::Driver& inner_;
  std::map<std::string, std::chrono::milliseconds> delays_;
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
  const std::string spec = argc > 2 ? argv[2] : "nft:100,tc:20";
  std::map<std::string, std::chrono::milliseconds> delays;
  for (size_t at = 0; at < spec.size();) {
    size_t end = spec.find(',', at);
    if (end == std::string::npos) end = spec.size();
    const std::string item = spec.substr(at, end - at);
    const size_t colon = item.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "exec_bench: \"%s\" is not KIND:MS\n", item.c_str());
      return 2;
    }
    delays[item.substr(0, colon)] = std::chrono::milliseconds(std::atoi(item.c_str() + colon + 1));
    at = end + 1;
  }
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
    SlowKindDriver driver(host, delays);
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
  std::printf("%d VMs, %d steps, slow %s, parallelism 2: Execute %.1f ms (median of 3; %.1f-%.1f), %d driver calls\n",
              vms, steps, spec.c_str(), ms[1], ms[0], ms[2], calls);
  return 0;
}
