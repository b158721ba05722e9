// The values host sysctls had before berth first changed them (<state dir>/sysctl-originals.json), so that
// berth destroy can put them back (net.ipv4.ip_forward was 0 before the first NAT: it is 0 after destroy).
#pragma once

#include <string>
#include <vector>

#include "model/result.h"

namespace berth::drivers::lnx {

/// Before berth writes `desired` to the host sysctl `name`: when its current value (under `proc_sys`) differs
/// and no original is recorded yet, records the current value, atomically, in `state_dir`. A value berth finds
/// already set is not recorded (berth did not change it). Thread-safe.
Status<> RecordSysctlOriginal(const std::string& state_dir, const std::string& proc_sys, const std::string& name,
                              const std::string& desired);

/// Writes every recorded original back under `proc_sys` (in the calling thread's network namespace, the
/// host's), then forgets the record. Returns "name = value" per setting restored; none recorded: empty.
Result<std::vector<std::string>> RestoreSysctlOriginals(const std::string& state_dir, const std::string& proc_sys);

}  // namespace berth::drivers::lnx
