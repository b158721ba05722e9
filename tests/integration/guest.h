// A stand-in for a Firecracker guest in integration tests: attaches to the persistent tap0 inside a VM's
// netns exactly as Firecracker does (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, 12-byte virtio_net_hdr), writes
// Ethernet frames and reads them, answering ARP for its own address like a real guest would.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::itest {

using Frame = std::vector<uint8_t>;
using MacBytes = std::array<uint8_t, 6>;

MacBytes ParseMacBytes(const std::string& mac);
uint32_t ParseIp(const std::string& ip);  // host byte order

class Guest {
 public:
  /// Attaches to `tap` in namespace `netns` (a /run/netns name). Check ok() before use.
  Guest(const std::string& netns, const std::string& tap, const std::string& mac, const std::string& ip);
  ~Guest();
  Guest(const Guest&) = delete;
  Guest& operator=(const Guest&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  const MacBytes& mac() const { return mac_; }

  bool Send(const Frame& frame);
  /// Reads frames until `match` accepts one or `timeout_ms` passes; ARP requests for our IP are answered.
  std::optional<Frame> Receive(const std::function<bool(const Frame&)>& match, int timeout_ms = 3000);

  /// Asks who has `ip`; returns the MAC of the answer.
  std::optional<MacBytes> Arp(const std::string& ip, int timeout_ms = 3000);
  /// Sends an ICMP echo request with `id` to `ip` at `dst_mac`.
  bool Ping(const std::string& ip, const MacBytes& dst_mac, uint16_t id);

  static Frame ArpFrame(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t tip, uint16_t op);
  static Frame IcmpEcho(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t dip, uint8_t type,
                        uint16_t id);
  static Frame Udp(const MacBytes& src, uint32_t sip, uint16_t sport, const MacBytes& dst, uint32_t dip,
                   uint16_t dport, const std::string& payload);
  /// A UDP datagram from src to dst:dport (src 0 matches any source).
  static bool IsUdp(const Frame& f, uint32_t src, uint32_t dst, uint16_t dport);
  /// A TCP SYN to dst:dport.
  static bool IsTcpSyn(const Frame& f, uint32_t dst, uint16_t dport);
  static bool IsArp(const Frame& f, uint16_t op, uint32_t spa, uint32_t tpa);
  static bool IsIcmp(const Frame& f, uint8_t type, uint32_t src, uint32_t dst, uint16_t id);

 private:
  int fd_ = -1;
  std::string error_;
  MacBytes mac_{};
  uint32_t ip_ = 0;
};

}  // namespace berth::itest
