// Network policies on the real kernel, with packets: a test guest on each VM's TAP (with the VM's real MAC)
// knocks on the host, on the outside world (an "upstream" netns), on its peers, and lies about its addresses.
// Every case runs with bridge netfilter off and on (net.bridge.bridge-nf-call-iptables is per netns).
#include <arpa/inet.h>

#include <algorithm>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "drivers/linux/frames.h"
#include "tests/integration/cli_env.h"
#include "tests/integration/guest.h"

namespace berth::itest {
namespace {

namespace fr = drivers::lnx::frames;

constexpr const char* kGw = "10.80.0.1";
constexpr const char* kHostSide = "203.0.113.1";
constexpr const char* kUpstream = "203.0.113.2";
constexpr const char* kMetadata = "169.254.169.254";
constexpr int kSilentMs = 800;  // how long "silent" waits; every such check has a positive control beside it

struct VmSpec {
  const char* name;
  const char* ip;
  const char* mac;
};
constexpr VmSpec kD1{"d1", "10.80.0.10", "06:00:0a:50:00:0a"};  // defaults
constexpr VmSpec kD2{"d2", "10.80.0.11", "06:00:0a:50:00:0b"};  // host tcp/2222, peers allow, egress exceptions
constexpr VmSpec kD3{"d3", "10.80.0.12", "06:00:0a:50:00:0c"};  // peers allow

std::string VmDoc(const VmSpec& vm, const std::string& policy) {
  return std::string("---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: ") + vm.name +
         "}\nspec:\n  network:\n    bridge: sbx0\n    mode: outbound\n    dns: [10.80.0.1]\n    address: " + vm.ip +
         "/24\n    mac: \"" + vm.mac + "\"\n" + policy;
}

std::string Manifests(const std::string& d2_egress_allow) {
  return "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: sbx0}\nspec: {address: 10.80.0.1/24}\n"
         "---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: out}\nspec: {source: {bridge: sbx0}}\n" +
         VmDoc(kD1, "") +
         VmDoc(kD2, "    policy:\n      host: [{protocol: tcp, port: 2222}]\n      peers: allow\n"
                    "      egress:\n        deny: [{to: 203.0.113.0/24}]\n" + d2_egress_allow) +
         VmDoc(kD3, "    policy: {peers: allow}\n");
}
const std::string kD2Exception = "        allow: [{to: 203.0.113.2/32, protocol: udp, port: 9999}]\n";

sockaddr_in Addr(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

/// A UDP socket bound in `netns` (empty: the sandbox's own), with a receive deadline.
int UdpServer(const std::string& netns, const std::string& ip, uint16_t port, int timeout_ms) {
  int fd = netns.empty() ? ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : SocketIn(netns, SOCK_DGRAM);
  if (fd < 0) return -1;
  sockaddr_in a = Addr(ip, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return ::close(fd), -1;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

/// The payload of the next datagram, or "" when none came before the socket's deadline.
std::string Recv(int fd, sockaddr_in* from = nullptr) {
  char buf[256];
  sockaddr_in src{};
  socklen_t len = sizeof src;
  ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&src), &len);
  if (from) *from = src;
  return n > 0 ? std::string(buf, n) : "";
}

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

class PolicyTest : public SandboxTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    const BridgeNetfilter bridge_nf = SetBridgeNetfilter(GetParam());
    if (bridge_nf == BridgeNetfilter::kAbsent && GetParam()) GTEST_SKIP() << "no br_netfilter in this kernel: the bridge netfilter case cannot run";
    ASSERT_NE(bridge_nf, BridgeNetfilter::kFailed);
    ASSERT_EQ(AddUpstream(kHostSide, kUpstream,
                          std::string(" && ip -n upstream addr add ") + kMetadata + "/32 dev lo && " +
                              "ip -n upstream route add 10.80.0.0/24 via " + kHostSide + " && ip route add " + kMetadata +
                              "/32 via " + kUpstream),
              0);
    Apply(Manifests(kD2Exception));
    for (const VmSpec* vm : {&kD1, &kD2, &kD3}) {
      ASSERT_EQ(Sh(std::string("for i in $(seq 50); do [ \"$(cat /sys/class/net/bv-") + vm->name +
                   "/brport/state)\" = 3 ] && exit 0; sleep 0.1; done; exit 1").status, 0);
      guests_[vm->name] = Attach(*vm);
    }
    gw_mac_ = ParseMacBytes(ShJson("ip -j link show dev sbx0")[0]["address"].get<std::string>());
  }
  void TearDown() override {
    guests_.clear();
    SetBridgeNetfilter(true);
    SandboxTest::TearDown();
  }
  void Apply(const std::string& yaml) {
    auto r = berth_.Run("apply -f " + berth_.WriteManifest("policy.yaml", yaml));
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static std::unique_ptr<Guest> Attach(const VmSpec& vm) {
    auto g = std::make_unique<Guest>(std::string("berth-") + vm.name, "tap0", vm.mac, vm.ip);
    EXPECT_TRUE(g->ok()) << g->error();
    for (int i = 0; i < 50; ++i) {  // the TAP's queue is activated asynchronously once a guest attaches
      auto j = ShJson(std::string("ip -j -n berth-") + vm.name + " link show dev tap0");
      if (j.is_array() && j[0].value("operstate", "") == "UP" && j[0].value("qdisc", "") != "noop") return g;
      Sh("sleep 0.05");
    }
    ADD_FAILURE() << "tap0 of " << vm.name << " never became ready";
    return g;
  }
  Guest& G(const VmSpec& vm) { return *guests_.at(vm.name); }
  /// Sends a TCP SYN from `vm` to ip:port through the gateway; true when anything TCP came back from there.
  bool TcpAnswers(const VmSpec& vm, const std::string& ip, uint16_t port, int timeout_ms, uint16_t sport) {
    const uint32_t dst = ParseIp(ip), self = ParseIp(vm.ip);
    EXPECT_TRUE(G(vm).Send(fr::Tcp(ParseMacBytes(vm.mac), self, sport, gw_mac_, dst, port, fr::kTcpSyn, 1000)));
    return G(vm)
        .Receive([&](const Frame& f) {
          auto p = fr::Parse(f);
          return p && p->proto == fr::kProtoTcp && p->ip_src == dst && p->sport == port && p->dport == sport;
        }, timeout_ms)
        .has_value();
  }
  bool SendUdp(const VmSpec& vm, const fr::MacBytes& dst_mac, const std::string& ip, uint16_t port,
               const std::string& payload, uint16_t sport = 5555) {
    return G(vm).Send(fr::Udp(ParseMacBytes(vm.mac), ParseIp(vm.ip), sport, dst_mac, ParseIp(ip), port, Bytes(payload)));
  }
  bool SeesUdp(const VmSpec& vm, const std::string& payload_from_ip, uint16_t port, int timeout_ms) {
    return G(vm)
        .Receive([&](const Frame& f) { return Guest::IsUdp(f, ParseIp(payload_from_ip), ParseIp(vm.ip), port); },
                 timeout_ms)
        .has_value();
  }

  BerthCli berth_;
  std::map<std::string, std::unique_ptr<Guest>> guests_;
  fr::MacBytes gw_mac_{};
};

TEST_P(PolicyTest, HostServicesAreSilentByDefaultAndOpenWhenAllowed) {
  int srv = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in any = Addr("0.0.0.0", 2222);
  int one = 1;
  ::setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  ASSERT_EQ(::listen(srv, 8), 0);
  // The implicit entry: ICMP echo to the gateway answers.
  ASSERT_TRUE(G(kD1).Ping(kGw, gw_mac_, 0x77));
  EXPECT_TRUE(G(kD1).Receive([&](const Frame& f) { return Guest::IsIcmp(f, 0, ParseIp(kGw), ParseIp(kD1.ip), 0x77); }))
      << "the gateway must answer ICMP echo by default";
  // d2 may open tcp/2222 on every host address; d1 may not, and is not even refused: silence.
  EXPECT_TRUE(TcpAnswers(kD2, kGw, 2222, 3000, 40001)) << "allowed host service on the gateway";
  EXPECT_TRUE(TcpAnswers(kD2, kHostSide, 2222, 3000, 40002)) << "allowed host service on another host address";
  EXPECT_FALSE(TcpAnswers(kD1, kGw, 2222, kSilentMs, 40003)) << "default VM reached a host service on the gateway";
  EXPECT_FALSE(TcpAnswers(kD1, kHostSide, 2222, kSilentMs, 40004)) << "default VM reached another host address";
  EXPECT_FALSE(TcpAnswers(kD1, kGw, 2223, kSilentMs, 40005)) << "a closed port answered (RST) a default VM";
  EXPECT_FALSE(TcpAnswers(kD2, kGw, 2223, kSilentMs, 40006)) << "a port outside d2's entries answered";
  ::close(srv);
}

TEST_P(PolicyTest, MetadataAndDeniedCidrsAreSilentAndExceptionsOpen) {
  int open9999 = UdpServer("upstream", "0.0.0.0", 9999, 3000);
  int closed9998 = UdpServer("upstream", "0.0.0.0", 9998, kSilentMs);
  int metadata = UdpServer("upstream", kMetadata, 80, kSilentMs);
  ASSERT_TRUE(open9999 >= 0 && closed9998 >= 0 && metadata >= 0);
  ASSERT_TRUE(SendUdp(kD1, gw_mac_, kMetadata, 80, "meta"));
  ASSERT_TRUE(SendUdp(kD1, gw_mac_, kUpstream, 9999, "d1-out"));
  EXPECT_EQ(Recv(open9999), "d1-out") << "default egress must reach the outside";
  EXPECT_EQ(Recv(metadata), "") << "a default VM reached 169.254.169.254";
  ASSERT_TRUE(SendUdp(kD2, gw_mac_, kUpstream, 9998, "denied"));
  ASSERT_TRUE(SendUdp(kD2, gw_mac_, kUpstream, 9999, "exception"));
  EXPECT_EQ(Recv(open9999), "exception") << "the allow entry inside the denied CIDR must open";
  EXPECT_EQ(Recv(closed9998), "") << "a denied CIDR was reached";
  for (int fd : {open9999, closed9998, metadata}) ::close(fd);
}

TEST_P(PolicyTest, PeersAreIsolatedByDefaultAndReachableWhenBothAllow) {
  const auto d2_mac = ParseMacBytes(kD2.mac), d3_mac = ParseMacBytes(kD3.mac);
  // d2 and d3 both allow: through the gateway (routed) and port to port (bridged).
  ASSERT_TRUE(SendUdp(kD2, gw_mac_, kD3.ip, 7001, "routed"));
  EXPECT_TRUE(SeesUdp(kD3, kD2.ip, 7001, 3000)) << "both allow: routed via the gateway";
  ASSERT_TRUE(SendUdp(kD2, d3_mac, kD3.ip, 7002, "bridged"));
  EXPECT_TRUE(SeesUdp(kD3, kD2.ip, 7002, 3000)) << "both allow: directly on layer 2";
  // d1 denies: neither way, in either direction, and its ARP broadcasts stay away from the others.
  ASSERT_TRUE(SendUdp(kD1, gw_mac_, kD2.ip, 7003, "routed"));
  ASSERT_TRUE(SendUdp(kD1, d2_mac, kD2.ip, 7004, "bridged"));
  ASSERT_TRUE(SendUdp(kD2, d3_mac, kD3.ip, 7005, "control"));  // sent after: arrives after the others would
  EXPECT_TRUE(SeesUdp(kD3, kD2.ip, 7005, 3000));
  EXPECT_FALSE(SeesUdp(kD2, kD1.ip, 7003, kSilentMs)) << "d1 reached d2 through the gateway";
  ASSERT_TRUE(SendUdp(kD1, d2_mac, kD2.ip, 7004, "bridged"));
  EXPECT_FALSE(SeesUdp(kD2, kD1.ip, 7004, kSilentMs)) << "d1 reached d2 on layer 2";
  ASSERT_TRUE(SendUdp(kD2, gw_mac_, kD1.ip, 7006, "routed"));
  EXPECT_FALSE(SeesUdp(kD1, kD2.ip, 7006, kSilentMs)) << "d2 reached d1, which denies peers";
  ASSERT_TRUE(G(kD1).Send(fr::Arp(ParseMacBytes(kD1.mac), ParseIp(kD1.ip), {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                                  ParseIp(kD2.ip), 1)));
  EXPECT_FALSE(G(kD2).Receive([&](const Frame& f) { return Guest::IsArp(f, 1, ParseIp(kD1.ip), ParseIp(kD2.ip)); },
                              kSilentMs))
      << "d1's ARP broadcast reached d2";
}

TEST_P(PolicyTest, SpoofedAndForeignFramesAreDropped) {
  int srv = UdpServer("upstream", "0.0.0.0", 9999, kSilentMs);
  ASSERT_GE(srv, 0);
  const auto d3_mac = ParseMacBytes(kD3.mac), d2_mac = ParseMacBytes(kD2.mac);
  const fr::MacBytes fake_mac{0x06, 0x00, 0x0a, 0x50, 0x00, 0x99}, bcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const uint32_t d3_ip = ParseIp(kD3.ip);
  // Another VM's address, an invented one, another MAC: none gets out.
  ASSERT_TRUE(G(kD3).Send(fr::Udp(d3_mac, ParseIp(kD2.ip), 5555, gw_mac_, ParseIp(kUpstream), 9999, Bytes("as-d2"))));
  ASSERT_TRUE(G(kD3).Send(fr::Udp(d3_mac, ParseIp("10.80.0.99"), 5555, gw_mac_, ParseIp(kUpstream), 9999, Bytes("invented"))));
  ASSERT_TRUE(G(kD3).Send(fr::Udp(fake_mac, d3_ip, 5555, gw_mac_, ParseIp(kUpstream), 9999, Bytes("fake-mac"))));
  ASSERT_TRUE(G(kD3).Send(fr::Udp(d3_mac, d3_ip, 5555, gw_mac_, ParseIp(kUpstream), 9999, Bytes("genuine"))));
  EXPECT_EQ(Recv(srv), "genuine") << "a spoofed datagram got out before the genuine one";
  EXPECT_EQ(Recv(srv), "") << "a spoofed datagram got out";
  // ARP claiming d2's address is dropped: the gateway never answers it; a genuine request is answered.
  ASSERT_TRUE(G(kD3).Send(fr::Arp(d3_mac, ParseIp(kD2.ip), bcast, ParseIp(kGw), 1)));
  EXPECT_FALSE(G(kD3).Receive([&](const Frame& f) { return Guest::IsArp(f, 2, ParseIp(kGw), ParseIp(kD2.ip)); },
                              kSilentMs))
      << "the gateway answered an ARP request with a spoofed sender address";
  ASSERT_TRUE(G(kD3).Send(fr::Arp(d3_mac, d3_ip, bcast, ParseIp(kGw), 1)));
  EXPECT_TRUE(G(kD3).Receive([&](const Frame& f) { return Guest::IsArp(f, 2, ParseIp(kGw), d3_ip); }))
      << "a genuine ARP request must be answered";
  // An ARP sender MAC that is not the VM's does not enter the host's neighbour table.
  ASSERT_TRUE(G(kD3).Send(fr::Arp(d3_mac, d3_ip, bcast, ParseIp(kGw), 1)));
  Frame lying = fr::Arp(d3_mac, d3_ip, bcast, ParseIp(kGw), 1);
  std::copy(fake_mac.begin(), fake_mac.end(), lying.begin() + 22);
  ASSERT_TRUE(G(kD3).Send(lying));
  Sh("sleep 0.3");
  EXPECT_EQ(Sh("ip neigh show dev sbx0").out.find("06:00:0a:50:00:99"), std::string::npos);
  // IPv6 and other ethertypes never reach a peer, even one that allows peers; IPv4 does (the control).
  ASSERT_TRUE(G(kD3).Send(fr::Ethernet(d2_mac, d3_mac, 0x86dd, 60)));
  ASSERT_TRUE(G(kD3).Send(fr::Ethernet(bcast, d3_mac, 0x88b5, 60)));
  ASSERT_TRUE(SendUdp(kD3, d2_mac, kD2.ip, 7010, "control"));
  // Only frames from d3 count: the host's bridge sends IPv6 of its own (router solicitations, MLD).
  auto from_d3 = [&](const Frame& f) { return f.size() >= 14 && std::equal(d3_mac.begin(), d3_mac.end(), f.begin() + 6); };
  auto seen = G(kD2).Receive([&](const Frame& f) {
    const uint16_t type = f.size() >= 14 ? (f[12] << 8 | f[13]) : 0;
    return from_d3(f) && (type == 0x86dd || type == 0x88b5 || Guest::IsUdp(f, d3_ip, ParseIp(kD2.ip), 7010));
  });
  ASSERT_TRUE(seen) << "the IPv4 control never reached d2";
  EXPECT_EQ((*seen)[12] << 8 | (*seen)[13], 0x0800) << "an IPv6 or 0x88b5 frame reached d2";
  EXPECT_FALSE(G(kD2).Receive([&](const Frame& f) { return from_d3(f) && f[12] != 0x08; }, kSilentMs))
      << "a non-IPv4, non-ARP frame from d3 reached d2";
  ::close(srv);
}

TEST_P(PolicyTest, NarrowedPolicyCutsAnEstablishedFlow) {
  int srv = UdpServer("upstream", "0.0.0.0", 9999, 3000);
  ASSERT_GE(srv, 0);
  ASSERT_TRUE(SendUdp(kD2, gw_mac_, kUpstream, 9999, "one", 4000));
  sockaddr_in from{};
  ASSERT_EQ(Recv(srv, &from), "one");
  ASSERT_EQ(::sendto(srv, "back", 4, 0, reinterpret_cast<sockaddr*>(&from), sizeof from), 4);
  ASSERT_TRUE(SeesUdp(kD2, kUpstream, 4000, 3000)) << "the reply of the allowed flow never came";

  Apply(Manifests(""));  // the exception is gone: 203.0.113.0/24 is denied to d2
  timeval tv{0, kSilentMs * 1000};
  ::setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ASSERT_TRUE(SendUdp(kD2, gw_mac_, kUpstream, 9999, "two", 4000));
  EXPECT_EQ(Recv(srv), "") << "the established flow survived the narrowed policy";
  ASSERT_EQ(::sendto(srv, "late", 4, 0, reinterpret_cast<sockaddr*>(&from), sizeof from), 4);
  EXPECT_FALSE(SeesUdp(kD2, kUpstream, 4000, kSilentMs)) << "the outside still reaches the VM on the cut flow";
  ::close(srv);
}

INSTANTIATE_TEST_SUITE_P(BridgeNetfilter, PolicyTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "BrNfOn" : "BrNfOff"; });

}  // namespace
}  // namespace berth::itest
