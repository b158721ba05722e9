// Frame building and parsing for probes; see frames.h.
#include "drivers/linux/frames.h"

#include <cstring>

namespace berth::drivers::lnx::frames {
namespace {

constexpr size_t kIp = 14;

void Put16(Frame& f, size_t at, uint16_t v) {
  f[at] = v >> 8;
  f[at + 1] = v & 0xff;
}
void Put32(Frame& f, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) f[at + i] = (v >> (24 - 8 * i)) & 0xff;
}
uint16_t Get16(const Frame& f, size_t at) { return static_cast<uint16_t>(f[at] << 8 | f[at + 1]); }
uint32_t Get32(const Frame& f, size_t at) {
  return uint32_t(f[at]) << 24 | uint32_t(f[at + 1]) << 16 | uint32_t(f[at + 2]) << 8 | f[at + 3];
}

uint32_t Sum(const Frame& f, size_t from, size_t len, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += Get16(f, from + i);
  if (len & 1) sum += uint32_t(f[from + len - 1]) << 8;
  return sum;
}
uint16_t Fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// An IPv4 frame with a 20-byte header and `l4` bytes of transport header and payload.
Frame Ipv4(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t dip, uint8_t proto, size_t l4) {
  Frame f = Ethernet(dst, src, kEtherIpv4, 20 + l4);
  f[kIp] = 0x45;
  Put16(f, kIp + 2, static_cast<uint16_t>(20 + l4));
  Put16(f, kIp + 6, 0x4000);  // don't fragment
  f[kIp + 8] = 64;
  f[kIp + 9] = proto;
  Put32(f, kIp + 12, sip);
  Put32(f, kIp + 16, dip);
  Put16(f, kIp + 10, Fold(Sum(f, kIp, 20)));
  return f;
}

// TCP and UDP checksums cover a pseudo-header of addresses, protocol and length.
void L4Checksum(Frame& f, size_t at_checksum) {
  const size_t l4 = kIp + 20, len = f.size() - l4;
  uint32_t sum = Sum(f, kIp + 12, 8) + f[kIp + 9] + static_cast<uint32_t>(len);
  Put16(f, at_checksum, Fold(Sum(f, l4, len, sum)));
}

}  // namespace

Frame Ethernet(const MacBytes& dst, const MacBytes& src, uint16_t ethertype, size_t payload) {
  Frame f(14 + payload, 0);
  std::memcpy(&f[0], dst.data(), 6);
  std::memcpy(&f[6], src.data(), 6);
  Put16(f, 12, ethertype);
  return f;
}

Frame Arp(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t tip, uint16_t op) {
  Frame f = Ethernet(dst, src, kEtherArp, 28);
  Put16(f, 14, 1);
  Put16(f, 16, kEtherIpv4);
  f[18] = 6;
  f[19] = 4;
  Put16(f, 20, op);
  std::memcpy(&f[22], src.data(), 6);
  Put32(f, 28, sip);
  if (op == 2) std::memcpy(&f[32], dst.data(), 6);
  Put32(f, 38, tip);
  return f;
}

Frame Tcp(const MacBytes& src, uint32_t sip, uint16_t sport, const MacBytes& dst, uint32_t dip, uint16_t dport,
          uint8_t flags, uint32_t seq) {
  Frame f = Ipv4(src, sip, dst, dip, kProtoTcp, 20);
  const size_t l4 = kIp + 20;
  Put16(f, l4, sport);
  Put16(f, l4 + 2, dport);
  Put32(f, l4 + 4, seq);
  f[l4 + 12] = 5 << 4;
  f[l4 + 13] = flags;
  Put16(f, l4 + 14, 64240);
  L4Checksum(f, l4 + 16);
  return f;
}

Frame Udp(const MacBytes& src, uint32_t sip, uint16_t sport, const MacBytes& dst, uint32_t dip, uint16_t dport,
          const std::vector<uint8_t>& payload) {
  Frame f = Ipv4(src, sip, dst, dip, kProtoUdp, 8 + payload.size());
  const size_t l4 = kIp + 20;
  Put16(f, l4, sport);
  Put16(f, l4 + 2, dport);
  Put16(f, l4 + 4, static_cast<uint16_t>(8 + payload.size()));
  if (!payload.empty()) std::memcpy(&f[l4 + 8], payload.data(), payload.size());
  L4Checksum(f, l4 + 6);
  return f;
}

Frame IcmpEcho(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t dip, uint16_t id, uint16_t seq) {
  constexpr size_t kPayload = 16;
  Frame f = Ipv4(src, sip, dst, dip, kProtoIcmp, 8 + kPayload);
  const size_t l4 = kIp + 20;
  f[l4] = 8;
  Put16(f, l4 + 4, id);
  Put16(f, l4 + 6, seq);
  Put16(f, l4 + 2, Fold(Sum(f, l4, 8 + kPayload)));
  return f;
}

std::optional<Parsed> Parse(const Frame& f) {
  if (f.size() < 14) return std::nullopt;
  Parsed p;
  std::memcpy(p.dst.data(), &f[0], 6);
  std::memcpy(p.src.data(), &f[6], 6);
  p.ethertype = Get16(f, 12);
  if (p.ethertype == kEtherArp) {
    if (f.size() < 42) return std::nullopt;
    p.arp_op = Get16(f, 20);
    std::memcpy(p.arp_sha.data(), &f[22], 6);
    p.arp_spa = Get32(f, 28);
    p.arp_tpa = Get32(f, 38);
    return p;
  }
  if (p.ethertype != kEtherIpv4) return p;
  if (f.size() < kIp + 20 || (f[kIp] >> 4) != 4) return std::nullopt;
  const size_t ihl = (f[kIp] & 0x0f) * 4;
  const size_t l4 = kIp + ihl;
  if (ihl < 20 || f.size() < l4) return std::nullopt;
  p.proto = f[kIp + 9];
  p.ip_src = Get32(f, kIp + 12);
  p.ip_dst = Get32(f, kIp + 16);
  if ((p.proto == kProtoTcp && f.size() >= l4 + 20) || (p.proto == kProtoUdp && f.size() >= l4 + 8)) {
    p.sport = Get16(f, l4);
    p.dport = Get16(f, l4 + 2);
    if (p.proto == kProtoTcp) {
      p.tcp_ack = Get32(f, l4 + 8);
      p.tcp_flags = f[l4 + 13];
    }
  } else if (p.proto == kProtoIcmp && f.size() >= l4 + 8) {
    p.icmp_type = f[l4];
    p.icmp_code = f[l4 + 1];
    p.icmp_id = Get16(f, l4 + 4);
    // Errors quote the offending IPv4 header and 8 bytes of its payload.
    const size_t inner = l4 + 8;
    if ((p.icmp_type == 3 || p.icmp_type == 11) && f.size() >= inner + 20) {
      const size_t inner_l4 = inner + (f[inner] & 0x0f) * 4;
      p.inner_proto = f[inner + 9];
      p.inner_dst = Get32(f, inner + 16);
      if (f.size() >= inner_l4 + 4) {
        p.inner_sport = Get16(f, inner_l4);
        p.inner_dport = Get16(f, inner_l4 + 2);
      }
    }
  }
  return p;
}

}  // namespace berth::drivers::lnx::frames
