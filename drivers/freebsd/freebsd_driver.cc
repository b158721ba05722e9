// The FreeBSD driver. Apply runs each action's commands in order and stops at the first failure; "<N>" in an
// argument is replaced by the unit the step's "ifconfig epair|bridge create" printed, and a rename to the name
// the interface already has is skipped (the kernel chose it already).
#include "drivers/freebsd/freebsd_driver.h"

#include <cerrno>
#include <mutex>

#include <spdlog/spdlog.h>

#include "drivers/freebsd/explain.h"
#include "drivers/freebsd/observe.h"
#include "reconciler/log.h"

namespace berth::drivers::freebsd {
namespace {

using reconciler::Action;
using reconciler::DriverError;

std::shared_ptr<spdlog::logger> Logger() { return reconciler::NamedLogger("driver.freebsd"); }

int ErrnoOf(DriverError::Kind kind) {
  switch (kind) {
    case DriverError::Kind::kExists: return EEXIST;
    case DriverError::Kind::kNotFound: return ENOENT;
    case DriverError::Kind::kBusy: return EBUSY;
    case DriverError::Kind::kPermission: return EPERM;
    case DriverError::Kind::kInvalid: return EINVAL;
    default: return 0;
  }
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

/// The unit in the name a cloner create printed: "epair7a" -> "7", "bridge3" -> "3".
std::optional<std::string> UnitOf(const std::string& cloner, const std::string& printed) {
  std::string name = Trim(printed.substr(0, printed.find('\n')));
  if (!name.starts_with(cloner)) return std::nullopt;
  std::string rest = name.substr(cloner.size());
  if (cloner == "epair") {
    if (rest.empty() || rest.back() != 'a') return std::nullopt;
    rest.pop_back();
  }
  if (rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return rest;
}

class FreeBsdDriver final : public reconciler::Driver {
 public:
  FreeBsdDriver(CommandRunner& runner, std::unique_ptr<CommandRunner> owned)
      : runner_(runner), owned_(std::move(owned)), log_(Logger()) {}

  reconciler::Capabilities capabilities() const override { return {"freebsd"}; }

  Result<reconciler::ObservedState, DriverError> Observe(const reconciler::ObserveRequest& request) override {
    auto observed = ObserveHost(runner_, request.host_facts);
    if (observed) log_->debug("observed {} records", observed->resources.size());
    return observed;
  }

  reconciler::ApplyResponse Apply(const reconciler::ApplyRequest& request) override {
    reconciler::ApplyResponse response;
    for (const Action& action : request.actions) response.results.push_back({action.step_id, Run(action)});
    return response;
  }

 private:
  std::optional<DriverError> Run(const Action& action) {
    const std::string op = reconciler::ToString(action.op);
    auto fail = [&](DriverError::Kind kind, std::string message) {
      return DriverError{kind, op, action.resource.key, ErrnoOf(kind), std::move(message)};
    };
    auto commands = Explain(action);
    if (!commands) return fail(DriverError::Kind::kInvalid, commands.error().message);
    std::optional<std::string> unit;
    for (const auto& command : *commands) {
      std::vector<std::string> argv = command.argv;
      for (auto& arg : argv) {
        size_t at = arg.find(kUnitPlaceholder);
        if (at == std::string::npos) continue;
        if (!unit) return fail(DriverError::Kind::kInvalid, "no unit for " + arg + " (no create before it)");
        arg.replace(at, kUnitPlaceholder.size(), *unit);
      }
      if (argv.size() == 4 && argv[0] == "ifconfig" && argv[2] == "name" && argv[1] == argv[3]) continue;
      CommandResult r = runner_.Run(argv, command.input);
      log_->debug("{} -> {}", FormatArgv(argv), r.exit_code);
      if (!r.ok()) {
        std::string message = FormatArgv(argv) + ": " + Trim(r.err.empty() ? r.out : r.err);
        const DriverError::Kind kind = r.exit_code < 0 ? DriverError::Kind::kNotSupported : KindOfMessage(r.err);
        // A removal that finds its object gone already has what it wants (a jail's default route goes with
        // the interface it used when the jail's update destroys that epair); verification still checks.
        if (action.op == reconciler::Op::kDelete && kind == DriverError::Kind::kNotFound) {
          log_->debug("{}: already gone", message);
          continue;
        }
        return fail(kind, message);
      }
      if (argv.size() >= 3 && argv[0] == "ifconfig" && argv[2] == "create" &&
          (argv[1] == "epair" || argv[1] == "bridge")) {
        unit = UnitOf(argv[1], r.out);
        if (!unit)
          return fail(DriverError::Kind::kOther, FormatArgv(argv) + " printed \"" + Trim(r.out) +
                                                     "\", not the name of a new " + argv[1]);
      }
    }
    return std::nullopt;
  }

  CommandRunner& runner_;
  std::unique_ptr<CommandRunner> owned_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

DriverError::Kind KindOfMessage(const std::string& m) {
  auto has = [&](const char* s) { return m.find(s) != std::string::npos; };
  if (has("is dying") || has("Device busy") || has("Resource busy")) return DriverError::Kind::kBusy;
  if (has("already exists") || has("File exists")) return DriverError::Kind::kExists;
  if (has("does not exist") || has("not found") || has("No such") || has("Device not configured"))
    return DriverError::Kind::kNotFound;
  if (has("Operation not permitted") || has("Permission denied")) return DriverError::Kind::kPermission;
  if (has("syntax error") || has("Invalid argument") || has("too long") || has("not supported"))
    return DriverError::Kind::kInvalid;
  return DriverError::Kind::kOther;
}

std::unique_ptr<reconciler::Driver> MakeFreeBsdDriver(CommandRunner& runner) {
  return std::make_unique<FreeBsdDriver>(runner, nullptr);
}

std::unique_ptr<reconciler::Driver> MakeFreeBsdDriver(std::unique_ptr<CommandRunner> runner) {
  CommandRunner& ref = *runner;
  return std::make_unique<FreeBsdDriver>(ref, std::move(runner));
}

}  // namespace berth::drivers::freebsd
