// The Linux driver: dispatches a batch's actions to the per-kind appliers and reads the host through the
// observer. It decides nothing: the plan says what to do and in which order.
#include "drivers/linux/linux_driver.h"

#include <map>

#include "drivers/linux/apply.h"
#include "drivers/linux/observe.h"
#include "drivers/linux/vm.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

class LinuxDriver final : public reconciler::Driver {
 public:
  explicit LinuxDriver(const LinuxDriverOptions& options) : env_(options) {}

  reconciler::Capabilities capabilities() const override { return {"linux"}; }

  Result<reconciler::ObservedState, reconciler::DriverError> Observe(
      const reconciler::ObserveRequest& request) override {
    return ObserveHost(env_, request, memory_);
  }

  /// The KVM probe and the binaries, without reading the rest of the host.
  Result<std::map<std::string, std::string>, reconciler::DriverError> LaunchFacts() override {
    return LaunchBlockers(env_.options);
  }

  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& request) override {
    std::vector<Job> jobs(request.actions.size());
    std::map<std::string, std::vector<Job*>> by_kind;
    for (size_t i = 0; i < jobs.size(); ++i) {
      jobs[i].action = &request.actions[i];
      memory_.Touch(request.actions[i]);
      by_kind[request.actions[i].resource.key.kind].push_back(&jobs[i]);
    }
    BatchSockets socks(env_);
    // Kinds of one batch are independent of each other; this order only keeps runs reproducible.
    for (auto& [kind, kind_jobs] : by_kind) {
      if (kind == lr::kNetns) ApplyNetns(env_, socks, kind_jobs);
      else if (kind == lr::kLink) ApplyLinks(env_, socks, kind_jobs);
      else if (kind == lr::kAddr) ApplyAddrs(env_, socks, kind_jobs);
      else if (kind == lr::kTc) ApplyTc(env_, socks, kind_jobs);
      else if (kind == lr::kQdisc) ApplyQdiscs(env_, socks, kind_jobs);
      else if (kind == lr::kNftTable || kind == lr::kNft) continue;  // together, below: one transaction
      else if (kind == lr::kSysctl) ApplySysctls(env_, kind_jobs);
      else if (kind == lr::kFile) ApplyFiles(env_, kind_jobs);
      else if (kind == lr::kVmProc) ApplyVms(env_, kind_jobs);
      else
        for (Job* j : kind_jobs) j->Fail(reconciler::DriverError::Kind::kNotSupported, "unknown kind " + kind);
    }
    std::vector<Job*> nft;
    for (const char* k : {lr::kNftTable, lr::kNft}) {
      if (auto it = by_kind.find(k); it != by_kind.end()) nft.insert(nft.end(), it->second.begin(), it->second.end());
    }
    if (!nft.empty()) ApplyNft(env_, nft);

    reconciler::ApplyResponse response;
    for (auto& job : jobs) response.results.push_back({job.action->step_id, std::move(job.error)});
    return response;
  }

 private:
  Env env_;
  ObserveMemory memory_;
};

}  // namespace

std::unique_ptr<reconciler::Driver> MakeLinuxDriver(const LinuxDriverOptions& options) {
  return std::make_unique<LinuxDriver>(options);
}

}  // namespace berth::drivers::lnx
