// The closed grammar of the FreeBSD records whose text reaches a firewall: a pf anchor's nat and rdr rules and a
// secure-VNET interface's ipfw whitelist. Each rule must be one berth itself derives (parsed into its values, then
// derived again and compared), so an edited saved plan cannot load a rule of its own into berth's anchor or set.
#pragma once

#include <optional>
#include <string>

#include "reconciler/resource.h"

namespace berth::reconciler::freebsd_res {

/// What is wrong with the rule text of a pf or ipfw record, or nullopt (also for every other kind).
std::optional<std::string> FreeBsdRecordError(const Resource& r);

}  // namespace berth::reconciler::freebsd_res
