// Ethernet frames for `berth probe` (and the packet tests): IPv4 with TCP, UDP or ICMP echo, ARP, and a
// parser for what comes back. Addresses in host byte order; checksums filled in.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace berth::drivers::lnx::frames {

using Frame = std::vector<uint8_t>;
using MacBytes = std::array<uint8_t, 6>;

inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherArp = 0x0806;
inline constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17;
inline constexpr uint8_t kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

/// An Ethernet header of `ethertype` followed by `payload` zero bytes.
Frame Ethernet(const MacBytes& dst, const MacBytes& src, uint16_t ethertype, size_t payload);
/// ARP over Ethernet: op 1 request (dst broadcast, target MAC zero), 2 reply.
Frame Arp(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t tip, uint16_t op);
Frame Tcp(const MacBytes& src, uint32_t sip, uint16_t sport, const MacBytes& dst, uint32_t dip, uint16_t dport,
          uint8_t flags, uint32_t seq);
Frame Udp(const MacBytes& src, uint32_t sip, uint16_t sport, const MacBytes& dst, uint32_t dip, uint16_t dport,
          const std::vector<uint8_t>& payload);
Frame IcmpEcho(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t dip, uint16_t id, uint16_t seq);

/// What a received frame says, as far as a probe cares.
struct Parsed {
  MacBytes dst{}, src{};
  uint16_t ethertype = 0;
  // ARP
  uint16_t arp_op = 0;
  MacBytes arp_sha{};
  uint32_t arp_spa = 0, arp_tpa = 0;
  // IPv4
  uint32_t ip_src = 0, ip_dst = 0;
  uint8_t proto = 0;
  uint16_t sport = 0, dport = 0;  // TCP/UDP
  uint8_t tcp_flags = 0;
  uint32_t tcp_ack = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint16_t icmp_id = 0;
  // ICMP errors: the quoted packet's protocol, destination and destination port
  uint8_t inner_proto = 0;
  uint32_t inner_dst = 0;
  uint16_t inner_sport = 0, inner_dport = 0;
};
/// Nullopt for frames too short to hold what their headers announce.
std::optional<Parsed> Parse(const Frame& frame);

}  // namespace berth::drivers::lnx::frames
