// Floods for rate-limit tests: UDP from a test guest on a VM's TAP to a socket on the host (upstream of the
// bridge), and from the host to the guest, each paced at a multiple of the limit and measured at the receiver
// over a window that starts after the token bucket's burst has drained.
#pragma once

#include <cstdint>
#include <string>

#include "tests/integration/guest.h"

namespace berth::itest {

/// What one flood did: the rate the sender managed to offer and the rate the receiver saw in its window,
/// both in bits per second of Ethernet frames (what a qdisc counts).
struct FloodResult {
  double offered = 0;
  double received = 0;
  uint64_t frames_received = 0;
  std::string error;  // non-empty when the flood could not run at all
};

struct FloodSpec {
  double offer_bits = 0;       // the pace the sender aims at
  double seconds = 3.0;        // how long it sends
  double warmup_seconds = 0.8; // receiver arrivals before first + this are not measured (the burst)
  uint16_t port = 5001;
  size_t payload = 1400;       // UDP payload bytes: 1400 for bit rates, a few for packet rates
  std::string from_netns;      // FloodToGuest: the sender's namespace (a /run/netns name); empty: the host's
};

/// The bits of one frame (Ethernet, IPv4 and UDP headers) with `payload` bytes of UDP payload: a rate in
/// FloodResult divided by it is packets per second.
double FrameBits(size_t payload);

/// The guest (VM address `vm_ip`) sends to `host_ip`:port through `gateway_mac`; a socket on the host receives.
FloodResult FloodFromGuest(Guest& guest, const std::string& vm_ip, const std::string& host_ip,
                           const MacBytes& gateway_mac, const FloodSpec& spec);
/// A socket on the host (or in spec.from_netns) sends to `vm_ip`:port; the guest receives on its TAP.
FloodResult FloodToGuest(Guest& guest, const std::string& vm_ip, const FloodSpec& spec);

}  // namespace berth::itest
