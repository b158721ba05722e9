// The observer: reads the host and every berth netns into an ObservedState of the Linux vocabulary, with
// ownership from marks (link group + alias, berth- prefixes, table inet berth) and the host facts.
#pragma once

#include <string>
#include <vector>

#include "drivers/linux/apply.h"
#include "reconciler/driver.h"

namespace berth::drivers::linux {

Result<reconciler::ObservedState, reconciler::DriverError> ObserveHost(Env& env,
                                                                        const reconciler::ObserveRequest& request);

/// Kernel features berth needs that this host lacks ("tun", "veth", "bridge", "nf_tables", "sch_ingress",
/// "cls_u32", "act_mirred"), found without loading modules. Computed once per driver.
std::vector<std::string> MissingFeatures(Env& env);

}  // namespace berth::drivers::linux
