// Many VMs through the driver in the batches the executor would send (one batch per kind and wave): every
// object exists afterwards, observation finds them all, and deleting the namespaces leaves nothing behind.
// BERTH_SCALE_VMS sets the count (default 40); timings are printed for the perf budget (~1-2 ms per VM).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "drivers/linux/platform/linux_resources.h"
#include "tests/integration/sandbox_env.h"

namespace berth::itest {
namespace {

namespace lr = reconciler::linux_res;
using Clock = std::chrono::steady_clock;

class ScaleTest : public SandboxTest {};

std::string Mac(int i) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "06:00:0a:a8:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
  return buf;
}

/// Applies each batch and returns milliseconds per batch label.
double RunBatch(reconciler::Driver& d, const std::vector<reconciler::Resource>& rs, reconciler::Op op) {
  reconciler::ApplyRequest req;
  int id = 0;
  for (const auto& r : rs) req.actions.push_back({id++, op, r, {}});
  auto t0 = Clock::now();
  auto resp = d.Apply(req);
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  int failed = 0;
  for (const auto& r : resp.results) {
    if (r.error && failed++ < 3) ADD_FAILURE() << r.error->ToString();
  }
  EXPECT_EQ(failed, 0);
  return ms;
}

TEST_F(ScaleTest, ManyVmsCreateObserveDelete) {
  const char* env = std::getenv("BERTH_SCALE_VMS");
  const int n = env ? std::atoi(env) : 40;
  ApplyAll(*driver_, BridgeResources("fcbr0", "10.168.0.1/16"));
  std::map<int, std::vector<reconciler::Resource>> waves;  // netns; veth; lo; tap; tc
  std::vector<reconciler::Resource> netns;
  for (int i = 0; i < n; ++i) {
    auto vm = VmResources("vm" + std::to_string(i), "fcbr0", Mac(i + 2));
    waves[0].push_back(vm[0]);
    waves[1].push_back(vm[2]);
    waves[2].push_back(vm[1]);
    waves[3].push_back(vm[3]);
    waves[4].push_back(vm[4]);
    waves[4].push_back(vm[5]);
    netns.push_back(vm[0]);
  }
  double total = 0;
  const char* names[] = {"netns", "veth", "lo", "tap", "tc"};
  for (auto& [w, rs] : waves) {
    double ms = RunBatch(*driver_, rs, reconciler::Op::kCreate);
    total += ms;
    std::printf("[scale] %d VMs: %-5s %8.1f ms (%.3f ms/VM)\n", n, names[w], ms, ms / n);
  }
  std::printf("[scale] %d VMs: create %8.1f ms (%.3f ms/VM)\n", n, total, total / n);
  // The same state again: what the driver costs when the kernel has nothing to change.
  double again = RunBatch(*driver_, waves[2], reconciler::Op::kUpdate);
  std::printf("[scale] %d VMs: lo again %6.1f ms (%.3f ms/VM)\n", n, again, again / n);

  auto t0 = Clock::now();
  auto obs = ObserveOk(*driver_);
  double obs_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::printf("[scale] %d VMs: observe %7.1f ms (%.3f ms/VM)\n", n, obs_ms, obs_ms / n);
  int taps = 0, vets = 0, tcs = 0;
  for (const auto& r : obs.resources) {
    if (r.key.kind == lr::kLink && r.AttrOr(lr::kType) == "tap") ++taps;
    if (r.key.kind == lr::kLink && r.AttrOr(lr::kPeerNetns).starts_with("berth-")) ++vets;
    if (r.key.kind == lr::kTc && !r.AttrOr(lr::kRedirectTo).empty()) ++tcs;
  }
  EXPECT_EQ(taps, n);
  EXPECT_EQ(vets, n);
  EXPECT_EQ(tcs, 2 * n);
  EXPECT_EQ(Sh("ls /sys/class/net | grep -c '^bv-'").out, std::to_string(n) + "\n");

  double del = RunBatch(*driver_, netns, reconciler::Op::kDelete);
  std::printf("[scale] %d VMs: delete %8.1f ms (%.3f ms/VM)\n", n, del, del / n);
  EXPECT_EQ(Sh("ls /sys/class/net | grep -c '^bv-'").out, "0\n");
  EXPECT_EQ(Sh("ls /run/netns | wc -l").out, "0\n");
}

}  // namespace
}  // namespace berth::itest
