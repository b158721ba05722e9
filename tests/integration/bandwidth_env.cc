// The floods of bandwidth_env.h. Every loop is bounded by the flood's own deadline; the receiver runs in a
// thread that stops a fixed time after the sender. Frames carry spec.payload bytes of UDP payload (1400: 1442-byte
// frames).
#include "tests/integration/bandwidth_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/integration/cli_env.h"

namespace berth::itest {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDrain = std::chrono::milliseconds(300);

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

/// Arrival times to a rate: frames after the first arrival + warmup, up to when the sender stopped.
double WindowRate(const std::vector<Clock::time_point>& arrivals, double warmup, Clock::time_point stop, double frame_bits) {
  if (arrivals.empty()) return 0;
  const auto from = arrivals.front() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  if (stop <= from) return 0;
  uint64_t n = 0;
  for (auto t : arrivals) n += t >= from && t <= stop;
  return n * frame_bits / Seconds(stop - from);
}

/// Sends with `send_one` at spec.offer_bits for spec.seconds: in small bursts, sleeping between them, so
/// a busy machine's sender falls behind rather than spinning. Returns the rate it managed.
template <typename Send>
double Pace(const FloodSpec& spec, Clock::time_point start, Send send_one) {
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.seconds));
  const double frame_bits = FrameBits(spec.payload);
  uint64_t sent = 0;
  for (auto now = Clock::now(); now < end; now = Clock::now()) {
    const auto due = static_cast<uint64_t>(Seconds(now - start) * spec.offer_bits / frame_bits);
    while (sent < due && Clock::now() < end) {
      if (!send_one()) break;
      ++sent;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return sent * frame_bits / Seconds(Clock::now() - start);
}

}  // namespace

double FrameBits(size_t payload) { return (14 + 20 + 8 + static_cast<double>(payload)) * 8.0; }

FloodResult FloodFromGuest(Guest& guest, const std::string& vm_ip, const std::string& host_ip,
                           const MacBytes& gateway_mac, const FloodSpec& spec) {
  FloodResult result;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int big = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(spec.port);
  addr.sin_addr.s_addr = htonl(ParseIp(host_ip));
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    result.error = "cannot bind the receiver on " + host_ip;
    if (fd >= 0) ::close(fd);
    return result;
  }
  std::vector<Clock::time_point> arrivals;
  std::atomic<bool> stop{false};
  std::thread receiver([&] {
    std::vector<char> buf(65536);
    while (!stop) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      while (::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT) == static_cast<ssize_t>(spec.payload)) arrivals.push_back(Clock::now());
    }
  });
  const Frame frame = Guest::Udp(guest.mac(), ParseIp(vm_ip), 40000, gateway_mac, ParseIp(host_ip), spec.port,
                                 std::string(spec.payload, 'x'));
  const auto start = Clock::now();
  result.offered = Pace(spec, start, [&] { return guest.Send(frame); });
  const auto sent_until = Clock::now();
  std::this_thread::sleep_for(kDrain);
  stop = true;
  receiver.join();
  ::close(fd);
  result.frames_received = arrivals.size();
  result.received = WindowRate(arrivals, spec.warmup_seconds, sent_until, FrameBits(spec.payload));
  return result;
}

FloodResult FloodToGuest(Guest& guest, const std::string& vm_ip, const FloodSpec& spec) {
  FloodResult result;
  int fd = spec.from_netns.empty() ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : SocketIn(spec.from_netns, SOCK_DGRAM);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(spec.port);
  to.sin_addr.s_addr = htonl(ParseIp(vm_ip));
  if (fd < 0) {
    result.error = "no socket";
    return result;
  }
  std::vector<Clock::time_point> arrivals;
  const uint32_t vm = ParseIp(vm_ip);
  const auto start = Clock::now();
  const auto receive_until = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(spec.seconds)) + kDrain;
  std::thread receiver([&] {
    const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(receive_until - Clock::now()).count());
    guest.Receive(
        [&](const Frame& f) {
          if (Guest::IsUdp(f, 0, vm, spec.port)) arrivals.push_back(Clock::now());
          return false;  // keep reading until the deadline
        },
        ms);
  });
  const std::string payload(spec.payload, 'y');
  result.offered = Pace(spec, start, [&] {
    // ENOBUFS/EAGAIN under pressure count as not sent: the offered rate is what left the socket.
    return ::sendto(fd, payload.data(), payload.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
           static_cast<ssize_t>(payload.size());
  });
  const auto sent_until = Clock::now();
  receiver.join();
  ::close(fd);
  result.frames_received = arrivals.size();
  result.received = WindowRate(arrivals, spec.warmup_seconds, sent_until, FrameBits(spec.payload));
  return result;
}

}  // namespace berth::itest
