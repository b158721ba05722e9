// The pure half of observation: what the tools printed, parsed, becomes resource records in the FreeBSD
// vocabulary. Separate from the commands so it is tested on plain data.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/freebsd/parse.h"
#include "reconciler/resource.h"

namespace berth::drivers::freebsd {

/// What berth sees inside one of its live jails.
struct JailInside {
  bool seen = false;                      // false: the jail vanished before berth could look
  std::vector<IfInfo> interfaces;         // VNET jails only
  std::optional<RouteInfo> route;         // the default route, VNET jails only
  std::vector<NetRoute> routes;           // the other gateway routes, VNET jails only
  std::optional<std::string> resolv_conf;  // read from the host under the jail's path
  std::string resolv_unsafe;               // where that path resolves when it leaves the jail's tree
  std::string root;                        // the jail's path
};

struct HostView {
  std::vector<IfInfo> interfaces;                               // the host's
  std::vector<JailInfo> jails;                                  // every jail, dying ones included
  std::map<std::string, JailInside> inside;                     // berth's live jails, by name
  std::map<std::string, std::vector<std::string>> pf_anchors;   // "berth/out" -> normalised rules
  std::vector<IpfwRule> ipfw;                                   // every rule (berth's range is picked out)
  std::vector<DummynetPipe> pipes;                              // every pipe (berth's ranges are picked out)
  std::string forwarding;                                       // net.inet.ip.forwarding, "" if unknown
};

/// Whether a jail carries berth's tag in its meta parameter.
bool IsBerthJail(const JailInfo& jail);

/// The records and the facts (interfaces, foreign networks; missing features are the caller's).
reconciler::ObservedState BuildObserved(const HostView& view);

}  // namespace berth::drivers::freebsd
