// Cross-field rules about network policies. Per-entry rules are checked while parsing (parse_policy.cc).
#include "model/validate_rules.h"

namespace berth::model {

void CheckPolicies(const Manifest& manifest, Diagnostics& out) {
  for (const Vm& vm : manifest.vms) {
    if (!vm.doc.valid || !vm.network.policy || UsesBridge(vm.network.mode)) continue;
    Diagnostic d = ErrorAt(vm.doc, "spec.network.policy", "policy-without-interface",
                           std::string("the policy has no effect: mode ") + ToString(vm.network.mode) +
                               " gives the VM no interface to the host");
    d.severity = Severity::kWarning;
    out.push_back(std::move(d));
  }
}

}  // namespace berth::model
