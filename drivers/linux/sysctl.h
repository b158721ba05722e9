// Sysctl paths and reads, shared by the sysctl applier and the observer.
#pragma once

#include <string>
#include <vector>

#include "drivers/linux/os_util.h"
#include "reconciler/resource.h"

namespace berth::drivers::lnx {

/// "/proc/sys/net/ipv4/ip_forward" for "net.ipv4.ip_forward".
std::string SysctlPath(const std::string& proc_sys, const std::string& name);
/// The value without its trailing newline, read in the calling thread's namespace.
Result<std::string, OsError> ReadSysctl(const std::string& proc_sys, const std::string& name);
/// The host sysctls berth sets, appended to `out`: net.ipv4.ip_forward, and the route_localnet of each bridge
/// in `host_links` where it is on (off is the kernel's default), owned as its bridge is.
void ObserveSysctls(const std::string& proc_sys, const std::vector<reconciler::Resource>& host_links,
                    std::vector<reconciler::Resource>& out);

}  // namespace berth::drivers::lnx
