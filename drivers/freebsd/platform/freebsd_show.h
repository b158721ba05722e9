// What an operator or a jail manager wants to know about berth's jails, read back from an observation: per
// jail its path, VNET or not, and per interface the address, MAC, host end and bridge; the default route, the
// non-VNET addresses and the nameservers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reconciler/resource.h"

namespace berth::reconciler::freebsd_res {

struct JailInterfaceInfo {
  std::string name;      // in the jail
  std::string address;   // CIDR
  std::string mac;
  std::string host_end;  // the epair's host end
  std::string bridge;    // the bridge the host end is on (secure VNET: the per-jail bridge)
};

struct JailNetworkInfo {
  std::string jail;
  std::string owner;  // "Jail/web"
  std::string path;
  bool vnet = false;
  std::vector<JailInterfaceInfo> interfaces;  // VNET jails
  std::string gateway;
  std::vector<std::pair<std::string, std::string>> routes;  // extra routes: {to, via}, by destination
  std::vector<std::string> ip4;  // non-VNET jails
  std::vector<std::string> dns;
  std::string egress_bits, ingress_bits;  // the jail's dummynet pipes (freebsd_bandwidth.h); "" when none
};

/// berth's jails in the observation, by name.
std::vector<JailNetworkInfo> DescribeJails(const ObservedState& observed);

}  // namespace berth::reconciler::freebsd_res
