// Observation of a FreeBSD host through the command runner: host interfaces (ifconfig -a), jails (jls libxo
// JSON, dying ones included), the inside of berth's live VNET jails (jexec J ifconfig -a, route, resolv.conf),
// pf anchors under berth, ipfw rules in berth's range and the sysctls berth depends on. Read-only.
#pragma once

#include "drivers/freebsd/command_runner.h"
#include "model/result.h"
#include "reconciler/driver.h"

namespace berth::drivers::freebsd {

/// Everything berth owns, with ownership read from its tags (descriptions, jail meta, ipfw comments), plus
/// unowned look-alikes (every host interface and address, every jail) and, with `host_facts`, the facts plans
/// check. Tolerates jails that die or vanish while it reads (their jexec fails: they are skipped). Fails only
/// when ifconfig or jls cannot be run at all.
Result<reconciler::ObservedState, reconciler::DriverError> ObserveHost(CommandRunner& runner, bool host_facts);

}  // namespace berth::drivers::freebsd
