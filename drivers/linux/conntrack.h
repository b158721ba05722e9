// Conntrack entries through ctnetlink: deleting the connections a VM opened, so that a narrowed policy is not
// outlived by an established connection (replies of a tracked connection would pass without being judged).
#pragma once

#include <cstdint>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {

/// Deletes, in the calling thread's netns, every IPv4 conntrack entry whose original source is `address`
/// (host byte order). Returns how many were deleted; entries that vanish meanwhile are not errors.
Result<int, OsError> DeleteConntrackFrom(uint32_t address);

}  // namespace berth::drivers::lnx
