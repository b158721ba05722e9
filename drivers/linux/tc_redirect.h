// tc-redirect-tap's redirect: an ingress qdisc on a device with a u32 match-all filter whose mirred action
// redirects every packet to the egress of another device. Shared by the tc applier and the observer.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <string>

#include "drivers/linux/netlink.h"

namespace berth::drivers::lnx {

/// From an RTM_NEWTFILTER message: the target ifindex when it is a u32 filter with a mirred egress redirect.
std::optional<int> ParseRedirectFilter(nlmsghdr* h);
/// From an RTM_NEWQDISC message: the device's ifindex when it is an ingress qdisc.
std::optional<int> ParseIngressQdisc(nlmsghdr* h);

/// The RTM_NEWTFILTER adding `u32 match u32 0 0 action mirred egress redirect` from ifindex `index` to `to_index`.
NlMsg RedirectFilterRequest(int index, int to_index);
/// The ifindex of `dev` in `sock`'s namespace; ENODEV when there is none.
Result<int, OsError> IndexOf(NlSocket& sock, const std::string& dev);
/// RTM_NEWQDISC / RTM_DELQDISC of the ingress qdisc of ifindex `index`.
NlMsg IngressQdiscRequest(int type, int flags, int index);

inline constexpr unsigned kIngressHandle = 0xFFFF0000U;  // ffff:
inline constexpr unsigned kIngressParent = 0xFFFFFFF1U;  // TC_H_INGRESS

}  // namespace berth::drivers::lnx
