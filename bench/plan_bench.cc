// Planning cost at scale: N VMs on 100 bridges against the simulated host, on an empty host and on a converged
// one. Times expansion, diff and plan building (each alone and MakePlan end to end); median of several runs.
// Usage: plan_bench [VMS...]   (default: 1000 10000 100000). Results and how to run: bench/RESULTS.md.
//        plan_bench --profile=empty|converged VMS   runs only MakePlan, ten times, for a profiler.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>

#include <climits>
#include <malloc.h>
#include <sys/resource.h>
#include <functional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/sim/sim_host.h"
#include "reconciler/executor.h"
#include "reconciler/planner.h"

namespace berth {
namespace {

constexpr int kBridges = 100;

model::Document Doc(const std::string& kind, const std::string& name) {
  model::Document d;
  d.kind = kind;
  d.metadata.name = name;
  d.span = {"bench.yaml", 1, 1};
  return d;
}

/// 100 bridges with a /20 each (room for 4094 VMs), VMs spread round-robin, outbound with one nameserver:
/// every VM expands to netns, lo, veth, tap, two tc, an nft group and a resolv.conf.
model::Manifest MakeManifest(int vms) {
  model::Manifest m;
  for (int i = 0; i < kBridges; ++i) {
    model::Bridge b;
    b.doc = Doc("Bridge", "br" + std::to_string(i));
    b.address = model::Cidr4{model::Ipv4{(10u << 24) + uint32_t(i + 1) * 4096 + 1}, 20};
    m.bridges.push_back(b);
  }
  model::Nat nat;
  nat.doc = Doc("NAT", "out");
  nat.source = std::string("br0");
  m.nats.push_back(nat);
  for (int i = 0; i < vms; ++i) {
    model::Vm vm;
    vm.doc = Doc("VM", "vm" + std::to_string(i));
    vm.network.bridge = "br" + std::to_string(i % kBridges);
    vm.network.mode = model::NetworkMode::kOutbound;
    vm.network.dns = {"10.0.0.53"};
    m.vms.push_back(vm);
  }
  return m;
}

/// CPU time of this thread: the machines these run on are shared, and wall time swings with their load.
double CpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

/// Page faults so far: on a virtual machine each costs microseconds, and a fresh allocation faults per page.
long MinorFaults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

long last_faults = 0;  // faults during the median run of the last MedianMs

/// Median over `runs` of the CPU time `body` takes; `prepare` (untimed) builds its inputs, so copies of the
/// observation that the real pipeline would move in are not counted.
double MedianMs(int runs, const std::function<void()>& prepare, const std::function<void()>& body) {
  std::vector<std::pair<double, long>> ms;
  for (int i = 0; i < runs; ++i) {
    prepare();
    const long faults = MinorFaults();
    const double start = CpuMs();
    body();
    ms.emplace_back(CpuMs() - start, MinorFaults() - faults);
  }
  std::sort(ms.begin(), ms.end());
  last_faults = ms[ms.size() / 2].second;
  return ms[ms.size() / 2].first;
}

struct Row {
  double expand = 0, diff = 0, build = 0, total = 0;
  double first = -1;      // the first MakePlan of the process (empty host only): fresh pages, as a one-shot CLI
  long first_faults = 0;
  long total_faults = 0;
  size_t resources = 0, steps = 0;
};

/// Times each phase on `observed`; `total` is MakePlan (expansion, diff, plan, guard) end to end.
Row Measure(const reconciler::Platform& platform, const model::Manifest& manifest,
            const reconciler::Allocations& allocations, const reconciler::ObservedState& observed, int runs) {
  Row row;
  reconciler::DesiredState desired;
  row.expand = MedianMs(runs, [&] { desired = {}; }, [&] { desired = platform.Expand(manifest, allocations); });
  row.resources = desired.resources.size();
  reconciler::ManifestIds ids{reconciler::ManifestIdsOf(manifest), {}};
  reconciler::ChangeSet changes;
  reconciler::DesiredState desired_in;  // ComputeDiff consumes its desired state: copied outside the timing
  row.diff = MedianMs(runs, [&] { changes = {}, desired_in = desired; },
                      [&] { changes = reconciler::ComputeDiff(platform, std::move(desired_in), observed, ids); });
  reconciler::ChangeSet changes_in;
  reconciler::ObservedState observed_in;
  std::optional<Result<reconciler::Plan>> plan;  // freed outside the timed region, like the inputs' copies
  row.build = MedianMs(
      runs, [&] { plan.reset(), changes_in = changes, observed_in = observed; },
      [&] {
        plan = reconciler::BuildPlan(platform, std::move(changes_in), std::move(observed_in));
        row.steps = plan->ok() ? (*plan)->steps.size() : 0;
      });
  reconciler::PlanInput input;
  row.total = MedianMs(
      runs,
      [&] {
        plan.reset();
        input = {};
        input.manifest = &manifest;
        input.allocations = allocations;
        input.observed = observed;
      },
      [&] {
        plan = reconciler::MakePlan(platform, std::move(input));
        if (!plan->ok()) std::abort();
      });
  row.total_faults = last_faults;
  return row;
}

void Print(const char* host, int vms, const Row& r) {
  std::printf("| %7d | %-9s | %9zu | %7zu | %9.1f | %7.1f | %8.1f | %11.1f | %11ld |", vms, host, r.resources,
              r.steps, r.expand, r.diff, r.build, r.total, r.total_faults);
  if (r.first >= 0) std::printf(" %9.1f | %12ld |\n", r.first, r.first_faults);
  else std::printf("         – |            – |\n");
}

/// One MakePlan, timed with its page faults: run first in a process, it pays for every page it touches.
std::pair<double, long> TimeOnce(const reconciler::Platform& platform, const model::Manifest& manifest,
                                 const reconciler::Allocations& allocations, const reconciler::ObservedState& observed) {
  reconciler::PlanInput input;
  input.manifest = &manifest;
  input.allocations = allocations;
  input.observed = observed;
  const long faults = MinorFaults();
  const double start = CpuMs();
  auto plan = reconciler::MakePlan(platform, std::move(input));
  const double ms = CpuMs() - start;
  const long faulted = MinorFaults() - faults;
  if (!plan.ok()) std::abort();
  return {ms, faulted};
}

/// For a profiler: MakePlan only, kProfileRepeats times, on the empty or the converged host (no copies around it).
std::string profile_host;  // "", "empty" or "converged"
constexpr int kProfileRepeats = 10;

void ProfileMakePlan(const reconciler::Platform& platform, const model::Manifest& manifest,
                     const reconciler::Allocations& allocations, const reconciler::ObservedState& observed) {
  for (int i = 0; i < kProfileRepeats; ++i) {
    reconciler::PlanInput input;
    input.manifest = &manifest;
    input.allocations = allocations;
    input.observed = observed;
    const double start = CpuMs();
    auto plan = reconciler::MakePlan(platform, std::move(input));
    if (!plan.ok()) std::abort();
    std::printf("MakePlan on the %s host: %.1f ms, %zu steps\n", profile_host.c_str(), CpuMs() - start,
                plan->steps.size());
  }
}

int Run(int vms) {
  auto platform = reconciler::MakeLinuxPlatform();
  const model::Manifest manifest = MakeManifest(vms);
  const int runs = vms >= 100000 ? 3 : 5;
  auto allocations = reconciler::Allocate(manifest, {}).allocations;
  const double allocate_ms = MedianMs(runs, [] {}, [&] { (void)reconciler::Allocate(manifest, {}); });

  drivers::sim::SimHost host;
  host.set_recording(false);
  auto empty = host.Observe({});
  if (!empty.ok()) return 1;
  if (profile_host == "empty") return ProfileMakePlan(*platform, manifest, allocations, *empty), 0;
  if (profile_host.empty()) {
    // Before anything else of this size has touched the heap (run each size in its own process for a clean
    // first-run figure: a larger size after a smaller one reuses part of its memory).
    const auto [first_ms, first_faults] = TimeOnce(*platform, manifest, allocations, *empty);
    Row row = Measure(*platform, manifest, allocations, *empty, runs);
    row.first = first_ms;
    row.first_faults = first_faults;
    Print("empty", vms, row);
  }

  reconciler::PlanInput input;
  input.manifest = &manifest;
  input.allocations = allocations;
  input.observed = *empty;
  auto plan = reconciler::MakePlan(*platform, std::move(input));
  if (!plan.ok() || !reconciler::Execute(*plan, host).ok()) {
    std::fprintf(stderr, "applying the plan to the simulated host failed\n");
    return 1;
  }
  auto converged = host.Observe({});
  if (!converged.ok()) return 1;
  if (profile_host == "converged") return ProfileMakePlan(*platform, manifest, allocations, *converged), 0;
  Row row = Measure(*platform, manifest, allocations, *converged, runs);
  Print("converged", vms, row);
  std::printf("|         | (allocate: %.1f ms, observed %zu records)\n", allocate_ms, converged->resources.size());
  return row.steps == 0 ? 0 : 1;  // a converged host needs nothing
}

}  // namespace
}  // namespace berth

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  // Memory once touched stays with the process, as in a long-running `berth watch`: without this, which of
  // the repeated runs pays for faulting fresh pages depended on where the allocator last gave memory back
  // (the same binary measured 90 or 260 ms). The cold cost of a one-shot run is the "first run" column.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--profile=")) berth::profile_host = arg.substr(10);
    else sizes.push_back(std::atoi(argv[i]));
  }
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  std::printf("| VMs     | host      | resources | steps   | expand ms | diff ms | build ms | MakePlan ms | page faults |"
              " first run | first faults |\n");
  std::printf("|---------|-----------|-----------|---------|-----------|---------|----------|-------------|-------------|"
              "-----------|--------------|\n");
  int status = 0;
  for (int vms : sizes) status |= berth::Run(vms);
  return status;
}
