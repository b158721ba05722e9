// The probe's packet work, on a thread that enters the VM's netns. The socket is bound to eth0 with ETH_P_ALL:
// it answers ARP for the VM's address itself (the host asks before it replies), resolves the next hop (the
// target on the VM's subnet, else the gateway), sends the probe and classifies the first answer.
#include "drivers/linux/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <thread>

#include "drivers/linux/frames.h"
#include "model/net.h"

namespace berth::drivers::lnx {
namespace {

namespace fr = frames;
using Clock = std::chrono::steady_clock;

std::string Ip(uint32_t a) { return model::Ipv4{a}.ToString(); }

class PacketSocket {
 public:
  ~PacketSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Result<bool, OsError> Open(const std::string& device) {
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd_ < 0) return OsFailErrno("socket(AF_PACKET)");
    ifindex_ = static_cast<int>(::if_nametoindex(device.c_str()));
    if (ifindex_ == 0) return OsFailErrno("no device " + device);
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex_;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) return OsFailErrno("bind " + device);
    return true;
  }
  bool Send(const fr::Frame& f) {
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ifindex_;
    to.sll_halen = 6;
    std::memcpy(to.sll_addr, f.data(), 6);
    return ::sendto(fd_, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
           static_cast<ssize_t>(f.size());
  }
  /// The next incoming frame (our own sends are skipped) before `deadline`.
  std::optional<fr::Frame> Receive(Clock::time_point deadline) {
    std::vector<uint8_t> buf(65536);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      sockaddr_ll from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING) continue;
      return fr::Frame(buf.begin(), buf.begin() + n);
    }
  }

 private:
  int fd_ = -1;
  int ifindex_ = 0;
};

class Prober {
 public:
  Prober(const ProbeRequest& r, PacketSocket& sock)
      : r_(r), sock_(sock), mac_(ParseMac(r.mac)), sport_(static_cast<uint16_t>(40000 + std::random_device{}() % 20000)) {}

  ProbeResult Run() {
    const uint32_t mask = r_.prefix == 0 ? 0 : ~uint32_t{0} << (32 - r_.prefix);
    const uint32_t hop = (r_.target & mask) == (r_.address & mask) ? r_.target : r_.gateway;
    auto hop_mac = Resolve(hop);
    if (!hop_mac) return {ProbeOutcome::kSilent, "arp: no answer from " + Ip(hop)};
    sock_.Send(ProbeFrame(*hop_mac));
    auto deadline = Clock::now() + std::chrono::milliseconds(r_.timeout_ms);
    while (auto f = Next(deadline)) {
      auto p = fr::Parse(*f);
      if (!p || p->ethertype != fr::kEtherIpv4 || p->ip_dst != r_.address) continue;
      if (auto outcome = Classify(*p, *hop_mac)) return *outcome;
    }
    return {ProbeOutcome::kSilent, "no answer from " + Ip(r_.target)};
  }

 private:
  static fr::MacBytes ParseMac(const std::string& text) {
    auto m = model::Mac::Parse(text);
    fr::MacBytes out{};
    if (m) std::copy(m->bytes.begin(), m->bytes.end(), out.begin());
    return out;
  }

  // Frames for us, answering ARP requests for our address on the way.
  std::optional<fr::Frame> Next(Clock::time_point deadline) {
    while (auto f = sock_.Receive(deadline)) {
      auto p = fr::Parse(*f);
      if (p && p->ethertype == fr::kEtherArp && p->arp_op == 1 && p->arp_tpa == r_.address)
        sock_.Send(fr::Arp(mac_, r_.address, p->arp_sha, p->arp_spa, 2));
      return f;
    }
    return std::nullopt;
  }

  std::optional<fr::MacBytes> Resolve(uint32_t ip) {
    const fr::MacBytes bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    sock_.Send(fr::Arp(mac_, r_.address, bcast, ip, 1));
    auto deadline = Clock::now() + std::chrono::milliseconds(r_.timeout_ms);
    while (auto f = Next(deadline)) {
      auto p = fr::Parse(*f);
      if (p && p->ethertype == fr::kEtherArp && p->arp_op == 2 && p->arp_spa == ip && p->arp_tpa == r_.address)
        return p->arp_sha;
    }
    return std::nullopt;
  }

  fr::Frame ProbeFrame(const fr::MacBytes& hop) const {
    switch (r_.protocol) {
      case ProbeProtocol::kTcp:
        return fr::Tcp(mac_, r_.address, sport_, hop, r_.target, r_.port, fr::kTcpSyn, kSeq);
      case ProbeProtocol::kUdp:
        return fr::Udp(mac_, r_.address, sport_, hop, r_.target, r_.port, {'b', 'e', 'r', 't', 'h'});
      case ProbeProtocol::kIcmp:
        return fr::IcmpEcho(mac_, r_.address, hop, r_.target, sport_, 1);
    }
    return {};
  }

  std::optional<ProbeResult> Classify(const fr::Parsed& p, const fr::MacBytes& hop) {
    const bool from_target = p.ip_src == r_.target;
    if (r_.protocol == ProbeProtocol::kTcp && p.proto == fr::kProtoTcp && from_target && p.sport == r_.port &&
        p.dport == sport_) {
      if ((p.tcp_flags & (fr::kTcpSyn | fr::kTcpAck)) == (fr::kTcpSyn | fr::kTcpAck)) {
        // Tear the half-open connection down, as a kernel would for a SYN-ACK it did not expect.
        sock_.Send(fr::Tcp(mac_, r_.address, sport_, hop, r_.target, r_.port, fr::kTcpRst, kSeq + 1));
        return ProbeResult{ProbeOutcome::kOpen, "syn-ack from " + Ip(r_.target)};
      }
      if (p.tcp_flags & fr::kTcpRst) return ProbeResult{ProbeOutcome::kClosed, "rst from " + Ip(r_.target)};
    }
    if (r_.protocol == ProbeProtocol::kUdp && p.proto == fr::kProtoUdp && from_target && p.sport == r_.port &&
        p.dport == sport_)
      return ProbeResult{ProbeOutcome::kReply, "udp reply from " + Ip(r_.target)};
    if (p.proto != fr::kProtoIcmp) return std::nullopt;
    if (r_.protocol == ProbeProtocol::kIcmp && p.icmp_type == 0 && from_target && p.icmp_id == sport_)
      return ProbeResult{ProbeOutcome::kReply, "echo reply from " + Ip(r_.target)};
    if ((p.icmp_type == 3 || p.icmp_type == 11) && p.inner_dst == r_.target) {
      const bool ours = r_.protocol == ProbeProtocol::kIcmp || p.inner_sport == sport_;
      if (!ours) return std::nullopt;
      const std::string what = "icmp type " + std::to_string(p.icmp_type) + " code " + std::to_string(p.icmp_code) +
                               " from " + Ip(p.ip_src);
      if (p.icmp_type == 3 && p.icmp_code == 3) return ProbeResult{ProbeOutcome::kClosed, what};
      return ProbeResult{ProbeOutcome::kAnswered, what};
    }
    return std::nullopt;
  }

  static constexpr uint32_t kSeq = 0x62657274;
  const ProbeRequest& r_;
  PacketSocket& sock_;
  fr::MacBytes mac_;
  uint16_t sport_;
};

}  // namespace

const char* ToString(ProbeOutcome outcome) {
  switch (outcome) {
    case ProbeOutcome::kOpen: return "open";
    case ProbeOutcome::kClosed: return "closed";
    case ProbeOutcome::kReply: return "reply";
    case ProbeOutcome::kAnswered: return "answered";
    case ProbeOutcome::kSilent: return "silent";
  }
  return "?";
}

Result<ProbeResult, OsError> RunProbe(const ProbeRequest& request) {
  std::optional<Result<ProbeResult, OsError>> out;
  // setns affects only the calling thread: a thread of its own enters the VM's netns and ends there.
  std::thread t([&] {
    int ns = ::open(("/run/netns/" + request.netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
      out = OsFailErrno("open netns " + request.netns);
      return;
    }
    int rc = ::setns(ns, CLONE_NEWNET);
    ::close(ns);
    if (rc != 0) {
      out = OsFailErrno("setns " + request.netns);
      return;
    }
    PacketSocket sock;
    if (auto opened = sock.Open(request.device); !opened) {
      out = Unexpected<OsError>{opened.error()};
      return;
    }
    out = Prober(request, sock).Run();
  });
  t.join();
  return *out;
}

}  // namespace berth::drivers::lnx
