// What a VM launcher needs from berth, read back from an observation (as a CNI result gives it): netns path,
// TAP name, MAC, address, gateway and nameservers of each VM whose network berth manages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/ipam.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

/// A rate limit as the kernel holds it (qdisc resources, linux_bandwidth.h; packet rates in the VM's
/// rule group, linux_policy.h).
struct RateLimit {
  uint64_t rate_bits = 0;    // per second; 0: the bit rate is not limited
  uint64_t burst_bytes = 0;
  uint64_t pps = 0;          // packets per second; 0: the packet rate is not limited
  uint64_t pkt_burst = 0;    // packets
};

struct VmNetworkInfo {
  std::string vm;
  std::string netns_path;
  std::string tap;      // empty for disabled and loopback VMs
  std::string mac;      // the guest's MAC (the veth peer's, as tc-redirect-tap hands it over)
  std::string address;  // CIDR, from the allocations
  std::string gateway;  // the bridge's address
  std::vector<model::Route> routes;  // extra routes the guest is to apply, from the allocations
  std::string bridge;
  std::vector<std::string> dns;
  std::vector<std::string> dns_search;   // resolv.conf's search domains
  std::vector<std::string> dns_options;  // resolv.conf's options
  std::string hypervisor;  // qemu | firecracker; empty when berth launches nothing for it
  std::string running;     // "true" | "false" (the process died)
  std::string accelerator; // "kvm" | "tcg" as the running process was launched; "" when not known
  int pid = 0;
  std::optional<RateLimit> egress, ingress;  // what the VM may send and receive; absent: not limited
};

/// One direction's limit as `berth show` prints it: "16Mbit burst 32768b", "2000pps burst 20 packets", or both
/// joined by ", ".
std::string DescribeRateLimit(const RateLimit& limit);

std::vector<VmNetworkInfo> DescribeVms(const ObservedState& observed, const Allocations& allocations,
                                       const std::string& netns_dir);

}  // namespace berth::reconciler::linux_res
