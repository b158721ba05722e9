// The FreeBSD platform: VNET jails, epairs, bridges, pf and ipfw (freebsd_resources.h), behind the core's
// Platform interface. Pure: no I/O.
#pragma once

#include <memory>

#include "reconciler/platform.h"

namespace berth::reconciler {

/// FreeBSD jails, VNET, pf and ipfw (drivers/freebsd/platform/freebsd_resources.h).
std::unique_ptr<Platform> MakeFreeBsdPlatform();

}  // namespace berth::reconciler
