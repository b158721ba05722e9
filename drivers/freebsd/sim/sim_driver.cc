// A file-backed simulated FreeBSD host behind the real FreeBSD driver.
#include "drivers/freebsd/sim/sim_driver.h"

#include <cstdio>
#include <fstream>
#include <mutex>

#include "drivers/freebsd/freebsd_driver.h"
#include "drivers/freebsd/sim/sim_host.h"

namespace berth::drivers::freebsd::sim {
namespace {

class FileBackedDriver final : public reconciler::Driver {
 public:
  FileBackedDriver(std::string path, SimState state)
      : path_(std::move(path)), sim_(std::move(state)), inner_(MakeFreeBsdDriver(sim_)) {}
  explicit FileBackedDriver(std::string path) : path_(std::move(path)), inner_(MakeFreeBsdDriver(sim_)) {}

  reconciler::Capabilities capabilities() const override { return inner_->capabilities(); }
  Result<reconciler::ObservedState, reconciler::DriverError> Observe(const reconciler::ObserveRequest& r) override {
    auto observed = inner_->Observe(r);
    Save();
    return observed;
  }
  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& r) override {
    auto response = inner_->Apply(r);
    Save();
    return response;
  }

 private:
  void Save() {
    std::lock_guard lock(mutex_);  // the executor may apply batches from several threads
    const std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp);
      out << sim_.ToJson().dump(1) << "\n";
    }
    std::rename(tmp.c_str(), path_.c_str());
  }

  std::mutex mutex_;
  std::string path_;
  SimFreeBsd sim_;
  std::unique_ptr<reconciler::Driver> inner_;
};

}  // namespace

Result<std::unique_ptr<reconciler::Driver>> MakeSimFreeBsdDriver(const std::string& state_file) {
  std::ifstream in(state_file);
  if (!in) return std::unique_ptr<reconciler::Driver>(std::make_unique<FileBackedDriver>(state_file));
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return Fail(state_file + ": not JSON");
  auto state = SimFreeBsd::FromJson(j);
  if (!state) return Fail(state_file + ": " + state.error().message);
  return std::unique_ptr<reconciler::Driver>(std::make_unique<FileBackedDriver>(state_file, std::move(*state)));
}

}  // namespace berth::drivers::freebsd::sim
