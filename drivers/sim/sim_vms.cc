// Simulated hypervisor processes: a launch needs its netns and (when it has one) its TAP, as the real
// hypervisor would fail to open them otherwise; a stop of a VM that is not running is ENOENT (ESRCH).
#include <cerrno>

#include "drivers/sim/sim_state.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::sim {

using namespace reconciler::linux_res;  // NOLINT: the vocabulary of this file
using reconciler::Op;

std::optional<DriverError> ApplyVmProc(SimState& s, const Action& a) {
  const std::string& name = a.resource.key.name;
  auto it = s.vms.find(name);
  if (a.op == Op::kDelete) {
    if (it == s.vms.end()) return SysError(a, ESRCH, "no hypervisor process for " + name);
    s.vms.erase(it);
    return std::nullopt;
  }
  const std::string ns = a.resource.AttrOr(kNetnsAttr);
  if (!s.FindNetns(ns)) return SysError(a, ENOENT, "setns " + ns);
  if (auto* tap = a.resource.Attr(kTap); tap && !tap->empty() && !s.FindLink(ns, *tap))
    return SysError(a, ENOENT, "open TAP " + *tap + " in " + ns);
  if (a.op == Op::kCreate && it != s.vms.end()) return SysError(a, EEXIST, "a hypervisor already runs " + name);
  s.vms[name] = a.resource.attrs;  // running=true from a plan; a test's drift may say false (the process died)
  return std::nullopt;
}

}  // namespace berth::drivers::sim
