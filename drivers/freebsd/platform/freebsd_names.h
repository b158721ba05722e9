// The host-side names of a VNET jail interface's objects, derived from the jail and the interface's in-jail
// name. The model refuses in-jail names that could collide with them (model::IsReservedJailInterfaceName).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::reconciler::freebsd_res {

/// All are "b" + role letter + 8 hex digits of FNV-1a("Jail/<jail>/<ifname>") [+ end]: 10 or 11 characters
/// whatever the jail's name, so they always fit IFNAMSIZ, and they cannot be the name an interface returns
/// from a dying jail under (in-jail names are checked with model::IsReservedJailInterfaceName).
///   JailEpairName(j, if, 'a')  "bj1a2b3c4da": host end of the jail's epair (on the bridge)
///   JailEpairName(j, if, 'b')  "bj1a2b3c4db": its jail end, handed over with jail -c vnet.interface=
///   JailUplinkName(j, if, e)   "bu1a2b3c4d[ab]": secure VNET only, the epair between the per-jail bridge and the
///                              host bridge ('a' on the host bridge, 'b' on the per-jail bridge)
///   JailSecureBridgeName(j, if) "bs1a2b3c4d": secure VNET only, the per-jail bridge
std::string JailEpairName(std::string_view jail, std::string_view ifname, char end);
std::string JailUplinkName(std::string_view jail, std::string_view ifname, char end);
std::string JailSecureBridgeName(std::string_view jail, std::string_view ifname);

/// FNV-1a, 32 bits, fed on from `h`: stable across runs and builds, unlike std::hash.
uint32_t Fnv1a(std::string_view s, uint32_t h = 2166136261u);
/// A stable slot in [0, count) for each id (its hash, probed linearly past taken ones), so a number does not
/// move when other ids come and go. Ids beyond `count` get none (the platform's CheckHost reports them).
std::map<std::string, int> HashSlots(std::vector<std::string> ids, int count);

}  // namespace berth::reconciler::freebsd_res
