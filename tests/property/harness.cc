// The property tests' apply loop and host disturbances; see harness.h.
#include "tests/property/harness.h"

#include <map>

#include <spdlog/spdlog.h>

#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::proptest {
namespace {

using reconciler::Ownership;
using reconciler::Resource;
using reconciler::ResourceKey;

Resource Make(std::string kind, std::string scope, std::string name, reconciler::Attrs attrs = {},
              std::string owner = "") {
  Resource r;
  r.key = {std::move(kind), std::move(scope), std::move(name)};
  r.attrs = std::move(attrs);
  r.owner = std::move(owner);
  return r;
}

Resource Bridge(const std::string& name) { return Make("link", "", name, {{"type", "bridge"}, {"up", "true"}}); }

/// Changes one attribute of an owned object the way an operator might.
void Drift(drivers::sim::SimHost& host, const Resource& r) {
  const std::string& kind = r.key.kind;
  if (kind == "link") {
    if (r.Attr("master") && r.key.name.size() % 2) (void)host.Mutate(r.key, "master", "");
    else if (r.AttrOr("type") != "loopback" && r.key.name.size() % 3 == 0) (void)host.Mutate(r.key, "mtu", "1400");
    else (void)host.Mutate(r.key, "up", r.AttrOr("up") == "true" ? "false" : "true");
  } else if (kind == "file") {
    (void)host.Mutate(r.key, "content", "# tampered\n");
  } else if (kind == "nft") {
    (void)host.Mutate(r.key, "forward", "ip daddr 10.9.9.9 accept");
  } else if (kind == "sysctl") {
    (void)host.Mutate(r.key, "value", "0");
  }
}

}  // namespace

Harness::Harness() : platform_(reconciler::MakeLinuxPlatform()) {
  // Thousands of runs: the executor's per-step info lines would drown the output.
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::warn);
    return true;
  }();
  (void)quiet;
}

reconciler::ObservedState Harness::Observe() {
  auto observed = host_.Observe({});
  RC_ASSERT(observed.ok());
  return std::move(*observed);
}

reconciler::Plan Harness::Plan(const model::Manifest& manifest) {
  reconciler::PlanInput input;
  input.manifest = &manifest;
  input.allocations = reconciler::Allocate(manifest, allocations_).allocations;
  input.observed = Observe();
  input.guard.allow = true;
  input.applied_ids = inventory_;
  auto plan = reconciler::MakePlan(*platform_, std::move(input));
  if (!plan.ok()) RC_FAIL("planning failed: " + plan.error().message);
  return std::move(*plan);
}

reconciler::ExecuteReport Harness::Apply(const reconciler::Plan& plan, int parallelism, reconciler::Driver* driver) {
  // As `berth apply`: allocations and the inventory are saved before the first step, the inventory narrowed to
  // the current manifest resources once the run succeeded.
  allocations_ = plan.allocations;
  inventory_.insert(inventory_.end(), plan.manifest_ids.begin(), plan.manifest_ids.end());
  std::sort(inventory_.begin(), inventory_.end());
  inventory_.erase(std::unique(inventory_.begin(), inventory_.end()), inventory_.end());
  host_.ClearLog();
  reconciler::ExecuteOptions options;
  options.parallelism = parallelism;
  auto report = reconciler::Execute(plan, driver ? *driver : host_, options);
  if (report.ok()) inventory_ = plan.manifest_ids;
  return report;
}

void Harness::Converge(const model::Manifest& manifest, int parallelism) {
  reconciler::Plan plan = Plan(manifest);
  std::vector<std::string> conflicts;
  for (const auto& c : plan.changes.conflicts) conflicts.push_back(c.message);
  RC_ASSERT(conflicts == std::vector<std::string>{});
  auto report = Apply(plan, parallelism);
  std::vector<std::string> failures;
  for (const auto& r : report.steps)
    if (r.error) failures.push_back(plan.steps[r.step_id].key().ToString() + ": " + r.error->ToString());
  RC_ASSERT(failures == std::vector<std::string>{});
  RC_ASSERT(report.ok());
}

void Harness::Disturb(const std::vector<Disturbance>& disturbances) {
  using Kind = Disturbance::Kind;
  for (const Disturbance& d : disturbances) {
    const int k = d.pick;
    std::vector<Resource> owned;
    for (auto& r : Observe().resources)
      if (r.ownership != Ownership::kUnowned || platform_->IsSetting(r.key)) owned.push_back(std::move(r));
    switch (d.kind) {
      case Kind::kRemoveOwned:
        if (!owned.empty()) (void)host_.Remove(owned[k % owned.size()].key);
        break;
      case Kind::kDriftOwned:
        if (!owned.empty()) Drift(host_, owned[k % owned.size()]);
        break;
      case Kind::kLeakNetns: {
        const std::string ns = "berth-ghost" + std::to_string(k % 3);
        (void)host_.Seed(Make("netns", "", ns));
        (void)host_.Seed(Make("link", ns, "tap0", {{"type", "tap"}, {"up", "true"}}, "VM/ghost" + std::to_string(k % 3)),
                         Ownership::kOwned);
        break;
      }
      case Kind::kLeakLink: {
        Resource leak = Bridge("bg" + std::to_string(k % 3));
        leak.owner = "Bridge/ghost";
        (void)host_.Seed(leak, d.marked_only ? Ownership::kMarked : Ownership::kOwned);
        break;
      }
      case Kind::kLookAlike: {
        const std::string n = std::to_string(k % 5);
        switch (k % 4) {
          case 0:
            (void)host_.Seed(Bridge("bv-vm" + n + "x"));
            (void)host_.Seed(Make("addr", "", "bv-vm" + n + "x/172.16." + n + ".1/24",
                                  {{"dev", "bv-vm" + n + "x"}, {"address", "172.16." + n + ".1/24"}}));
            break;
          case 1: (void)host_.Seed(Make("netns", "", "vm" + n)); break;
          case 2: (void)host_.Seed(Make("file", "", "/etc/netns/vm" + n + "/resolv.conf", {{"content", "x\n"}})); break;
          default: (void)host_.Seed(Make("nfttable", "", "filter")); break;
        }
        break;
      }
      case Kind::kEqualLookAlike: {
        const std::string n = std::to_string(k % 5);
        (void)host_.Seed(Bridge(k % 2 ? "bv-vm" + n : "br" + std::to_string(k % 3)));
        break;
      }
    }
  }
}

std::vector<std::string> Harness::Unowned() {
  std::vector<std::string> out;
  for (const auto& r : Observe().resources) {
    if (r.ownership != Ownership::kUnowned || platform_->IsSetting(r.key)) continue;
    std::string line = r.key.ToString() + " " + r.owner + " {";
    for (const auto& [k, v] : r.attrs) line += " " + k + "=" + v;
    out.push_back(line + " }");
  }
  return out;
}

std::vector<std::string> Harness::Leftovers(const model::Manifest& manifest) {
  reconciler::DesiredState desired = platform_->Expand(manifest, allocations_);
  std::vector<std::string> out;
  for (const auto& r : Observe().resources)
    if (r.ownership != Ownership::kUnowned && !platform_->IsSetting(r.key) && !desired.Find(r.key))
      out.push_back(r.key.ToString() + " (" + ToString(r.ownership) + ")");
  return out;
}

std::vector<std::string> OrderViolations(const reconciler::Plan& plan, const std::vector<drivers::sim::SimLogEntry>& log) {
  std::map<int, int64_t> done_at;  // step id -> when it succeeded
  std::vector<std::string> out;
  for (const auto& entry : log) {
    if (entry.error) continue;
    const reconciler::Step& step = plan.steps.at(entry.step_id);
    for (int dep : step.depends_on)
      if (!done_at.count(dep))
        out.push_back("step " + std::to_string(step.id) + " " + ToString(step.op) + " " + step.key().ToString() +
                      " ran before step " + std::to_string(dep) + " finished");
    done_at[entry.step_id] = entry.sequence;
  }
  return out;
}

std::vector<std::string> Pending(const reconciler::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.changes.changes) {
    if (c.action == reconciler::ChangeAction::kNoOp) continue;
    std::string line = c.key().ToString() + ": " + ToString(c.action);
    for (const auto& f : c.fields) line += " " + f;
    out.push_back(line + " (" + c.reason + ")");
  }
  for (const auto& s : plan.steps) out.push_back("step " + std::string(ToString(s.op)) + " " + s.key().ToString());
  return out;
}

std::string Describe(const model::Manifest& m) {
  std::string out;
  for (const auto& b : m.bridges) out += b.doc.Id() + (b.mtu ? " mtu=" + std::to_string(*b.mtu) : "") + "; ";
  for (const auto& n : m.nats) {
    out += n.doc.Id() + " src=" +
           (std::holds_alternative<std::string>(n.source) ? std::get<std::string>(n.source)
                                                          : std::get<model::Cidr4>(n.source).ToString()) +
           (n.egress ? " egress=" + *n.egress : "") + " fwd=" + std::to_string(n.forwards.size()) + "; ";
  }
  for (const auto& v : m.vms)
    out += v.doc.Id() + " " + model::ToString(v.network.mode) + (v.network.bridge.empty() ? "" : "@" + v.network.bridge) +
           " dns=" + std::to_string(v.network.dns.size()) + (v.firecracker ? " jailer" : "") + "; ";
  return out.empty() ? "(empty)" : out;
}

}  // namespace berth::proptest
