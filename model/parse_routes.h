// spec.network.routes of VMs and jails: extra routes, each {to: CIDR, via: IPv4}. What one entry can say on its
// own is checked here; where `via` sits relative to the workload's subnet is checked in validate_routes.cc.
#pragma once

#include <vector>

#include "model/manifest.h"
#include "model/yaml_walk.h"

namespace berth::model {

/// At most this many extra routes per workload (too-many-routes): a sandbox guest with more is surely generated
/// wrong, and every route is a command on FreeBSD and a line in the launcher's result file.
inline constexpr size_t kMaxRoutes = 32;

/// Reads a list of {to, via}: `to` a CIDR in network form (host-bits-set, with the network form suggested),
/// not 0.0.0.0/0 (default-route-conflict: the default route goes through the gateway) and not in 0.0.0.0/8
/// or 127.0.0.0/8 (invalid-route); `via` a unicast address outside those (invalid-route-via); each `to` once
/// (duplicate-route). Entries with errors are left out.
void ReadRoutes(ParseContext& ctx, const Value& value, std::vector<Route>& routes);

}  // namespace berth::model
