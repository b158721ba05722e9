// Sysctl paths and reads, shared by the sysctl applier and the observer.
#pragma once

#include <string>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {

/// "/proc/sys/net/ipv4/ip_forward" for "net.ipv4.ip_forward".
std::string SysctlPath(const std::string& proc_sys, const std::string& name);
/// The value without its trailing newline, read in the calling thread's namespace.
Result<std::string, OsError> ReadSysctl(const std::string& proc_sys, const std::string& name);

}  // namespace berth::drivers::lnx
