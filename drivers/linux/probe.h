// berth probe: one packet sent as a VM — its MAC and address — from inside its netns on eth0 through an
// AF_PACKET socket, and what came back. Packet taps run before tc's ingress redirect, so the socket sees the
// replies even though they go on to the VM's TAP. Changes nothing on the host.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/linux/os_util.h"

namespace berth::drivers::lnx {

enum class ProbeProtocol { kTcp, kUdp, kIcmp };

struct ProbeRequest {
  std::string netns;       // "berth-vm1"
  std::string device = "eth0";
  std::string mac;         // the VM's
  uint32_t address = 0;    // the VM's, host byte order
  int prefix = 24;         // the VM's subnet
  uint32_t gateway = 0;
  ProbeProtocol protocol = ProbeProtocol::kTcp;
  uint32_t target = 0;
  uint16_t port = 0;       // tcp and udp
  int timeout_ms = 1500;   // for the answer (ARP gets the same again)
};

/// open (TCP SYN-ACK), closed (TCP RST or ICMP port unreachable), reply (UDP or ICMP echo reply), answered
/// (another ICMP error about the probe), silent (nothing, including no ARP answer for the next hop).
enum class ProbeOutcome { kOpen, kClosed, kReply, kAnswered, kSilent };
const char* ToString(ProbeOutcome outcome);

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kSilent;
  std::string detail;  // "arp: no answer from 10.80.0.1", "icmp type 3 code 13 from 10.80.0.1"
};

/// Runs one probe. Errors are for the probe itself (no netns, no device, no permission), never for silence.
Result<ProbeResult, OsError> RunProbe(const ProbeRequest& request);

}  // namespace berth::drivers::lnx
