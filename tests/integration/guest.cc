// The test guest: raw frames through the TAP with the virtio-net header Firecracker uses.
#include "tests/integration/guest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace berth::itest {
namespace {

constexpr int kVnetHdrLen = 12;  // virtio_net_hdr_v1, as Firecracker sets with TUNSETVNETHDRSZ

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

uint16_t Checksum(const Frame& f, size_t from, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += Get16(f, from + i);
  if (len & 1) sum += uint32_t(f[from + len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Frame Ethernet(const MacBytes& dst, const MacBytes& src, uint16_t type, size_t payload) {
  Frame f(14 + payload, 0);
  std::memcpy(&f[0], dst.data(), 6);
  std::memcpy(&f[6], src.data(), 6);
  Put16(f, 12, type);
  return f;
}

}  // namespace

MacBytes ParseMacBytes(const std::string& mac) {
  MacBytes m{};
  unsigned v[6] = {};
  std::sscanf(mac.c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
  for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(v[i]);
  return m;
}

uint32_t ParseIp(const std::string& ip) {
  in_addr a{};
  ::inet_pton(AF_INET, ip.c_str(), &a);
  return ntohl(a.s_addr);
}

Guest::Guest(const std::string& netns, const std::string& tap, const std::string& mac, const std::string& ip)
    : mac_(ParseMacBytes(mac)), ip_(ParseIp(ip)) {
  // /dev/net/tun binds to the namespace of the thread that opens it, like Firecracker after the jailer's setns.
  std::thread t([&] {
    int ns = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
      error_ = "setns " + netns + ": " + std::strerror(errno);
      if (ns >= 0) ::close(ns);
      return;
    }
    ::close(ns);
    int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      error_ = std::string("open /dev/net/tun: ") + std::strerror(errno);
      return;
    }
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, tap.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    int hdr = kVnetHdrLen;
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0 || ::ioctl(fd, TUNSETVNETHDRSZ, &hdr) != 0) {
      error_ = std::string("attach ") + tap + ": " + std::strerror(errno);
      ::close(fd);
      return;
    }
    fd_ = fd;
  });
  t.join();
}

Guest::~Guest() {
  if (fd_ >= 0) ::close(fd_);
}

bool Guest::Send(const Frame& frame) {
  Frame buf(kVnetHdrLen, 0);  // no offloads: flags 0, gso_type VIRTIO_NET_HDR_GSO_NONE
  buf.insert(buf.end(), frame.begin(), frame.end());
  return ::write(fd_, buf.data(), buf.size()) == static_cast<ssize_t>(buf.size());
}

std::optional<Frame> Guest::Receive(const std::function<bool(const Frame&)>& match, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<uint8_t> buf(65536);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n <= kVnetHdrLen) continue;
    Frame f(buf.begin() + kVnetHdrLen, buf.begin() + n);
    if (f.size() < 14) continue;
    if (IsArp(f, 1, 0, ip_)) {  // who-has our address: answer like a guest kernel would
      MacBytes asker;
      std::memcpy(asker.data(), &f[22], 6);
      Send(ArpFrame(mac_, ip_, asker, Get32(f, 28), 2));
    }
    if (match(f)) return f;
  }
}

std::optional<MacBytes> Guest::Arp(const std::string& ip, int timeout_ms) {
  const uint32_t target = ParseIp(ip);
  if (!Send(ArpFrame(mac_, ip_, MacBytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, target, 1))) return std::nullopt;
  auto reply = Receive([&](const Frame& f) { return IsArp(f, 2, target, ip_); }, timeout_ms);
  if (!reply) return std::nullopt;
  MacBytes m;
  std::memcpy(m.data(), &(*reply)[22], 6);
  return m;
}

bool Guest::Ping(const std::string& ip, const MacBytes& dst_mac, uint16_t id) {
  return Send(IcmpEcho(mac_, ip_, dst_mac, ParseIp(ip), 8, id));
}

Frame Guest::ArpFrame(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t tip, uint16_t op) {
  Frame f = Ethernet(dst, src, 0x0806, 28);
  Put16(f, 14, 1);       // Ethernet
  Put16(f, 16, 0x0800);  // IPv4
  f[18] = 6;
  f[19] = 4;
  Put16(f, 20, op);
  std::memcpy(&f[22], src.data(), 6);
  Put32(f, 28, sip);
  if (op == 2) std::memcpy(&f[32], dst.data(), 6);
  Put32(f, 38, tip);
  return f;
}

Frame Guest::IcmpEcho(const MacBytes& src, uint32_t sip, const MacBytes& dst, uint32_t dip, uint8_t type,
                      uint16_t id) {
  constexpr size_t kIp = 14, kIcmp = 34, kPayload = 16;
  Frame f = Ethernet(dst, src, 0x0800, 20 + 8 + kPayload);
  f[kIp] = 0x45;
  Put16(f, kIp + 2, 20 + 8 + kPayload);
  f[kIp + 8] = 64;  // TTL
  f[kIp + 9] = 1;   // ICMP
  Put32(f, kIp + 12, sip);
  Put32(f, kIp + 16, dip);
  Put16(f, kIp + 10, Checksum(f, kIp, 20));
  f[kIcmp] = type;
  Put16(f, kIcmp + 4, id);
  Put16(f, kIcmp + 6, 1);
  for (size_t i = 0; i < kPayload; ++i) f[kIcmp + 8 + i] = static_cast<uint8_t>('a' + i);
  Put16(f, kIcmp + 2, Checksum(f, kIcmp, 8 + kPayload));
  return f;
}

Frame Guest::Udp(const MacBytes& src, uint32_t sip, uint16_t sport, const MacBytes& dst, uint32_t dip,
                 uint16_t dport, const std::string& payload) {
  constexpr size_t kIp = 14, kUdp = 34;
  Frame f = Ethernet(dst, src, 0x0800, 20 + 8 + payload.size());
  f[kIp] = 0x45;
  Put16(f, kIp + 2, static_cast<uint16_t>(20 + 8 + payload.size()));
  f[kIp + 8] = 64;
  f[kIp + 9] = 17;  // UDP
  Put32(f, kIp + 12, sip);
  Put32(f, kIp + 16, dip);
  Put16(f, kIp + 10, Checksum(f, kIp, 20));
  Put16(f, kUdp, sport);
  Put16(f, kUdp + 2, dport);
  Put16(f, kUdp + 4, static_cast<uint16_t>(8 + payload.size()));  // checksum 0: none, legal over IPv4
  std::memcpy(&f[kUdp + 8], payload.data(), payload.size());
  return f;
}

namespace {
/// Offset of the transport header of an IPv4 frame with protocol `proto`, or 0.
size_t L4(const Frame& f, uint8_t proto) {
  if (f.size() < 34 || Get16(f, 12) != 0x0800 || f[23] != proto) return 0;
  size_t off = 14 + (f[14] & 0x0f) * 4;
  return f.size() >= off + 8 ? off : 0;
}
}  // namespace

bool Guest::IsUdp(const Frame& f, uint32_t src, uint32_t dst, uint16_t dport) {
  size_t l4 = L4(f, 17);
  return l4 && (src == 0 || Get32(f, 26) == src) && Get32(f, 30) == dst && Get16(f, l4 + 2) == dport;
}

bool Guest::IsTcpSyn(const Frame& f, uint32_t dst, uint16_t dport) {
  size_t l4 = L4(f, 6);
  return l4 && f.size() >= l4 + 14 && Get32(f, 30) == dst && Get16(f, l4 + 2) == dport && (f[l4 + 13] & 0x12) == 0x02;
}

bool Guest::IsArp(const Frame& f, uint16_t op, uint32_t spa, uint32_t tpa) {
  if (f.size() < 42 || Get16(f, 12) != 0x0806 || Get16(f, 20) != op) return false;
  return (spa == 0 || Get32(f, 28) == spa) && Get32(f, 38) == tpa;
}

bool Guest::IsIcmp(const Frame& f, uint8_t type, uint32_t src, uint32_t dst, uint16_t id) {
  if (f.size() < 42 || Get16(f, 12) != 0x0800 || f[23] != 1) return false;
  const size_t icmp = 14 + (f[14] & 0x0f) * 4;
  return Get32(f, 26) == src && Get32(f, 30) == dst && f.size() >= icmp + 8 && f[icmp] == type &&
         Get16(f, icmp + 4) == id;
}

}  // namespace berth::itest
