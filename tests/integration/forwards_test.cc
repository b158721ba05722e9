// Port forwards from everywhere, end to end with the berth binary and real packets: from an "upstream" netns
// (outside clients, `from:` and `listen:`), from another VM on the bridge (hairpin, with peers: deny and no
// host access), from the host itself (its addresses, and 127.0.0.1 only where localhost: true asks for it).
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "tests/integration/cli_env.h"
#include "tests/integration/guest.h"

namespace berth::itest {
namespace {

const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/sandbox-forwards";
constexpr const char* kHostSide = "203.0.113.1";
constexpr const char* kUpstream = "203.0.113.2";
constexpr const char* kGateway = "10.171.0.1";
constexpr const char* kClient = "10.171.0.30";
constexpr const char* kTarget = "10.171.0.40";

sockaddr_in Addr(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

/// Opens a TCP connection attempt (non-blocking; nobody completes it) from `netns` ("" for the host).
int ConnectFrom(const std::string& netns, const std::string& ip, uint16_t port) {
  int c = netns.empty() ? ::socket(AF_INET, SOCK_STREAM, 0) : SocketIn(netns, SOCK_STREAM);
  if (c < 0) return c;
  ::fcntl(c, F_SETFL, O_NONBLOCK);
  sockaddr_in to = Addr(ip, port);
  ::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to);
  return c;
}

bool SendUdpFrom(const std::string& netns, const std::string& ip, uint16_t port) {
  int s = netns.empty() ? ::socket(AF_INET, SOCK_DGRAM, 0) : SocketIn(netns, SOCK_DGRAM);
  if (s < 0) return false;
  sockaddr_in to = Addr(ip, port);
  const bool ok = ::sendto(s, "fwd", 3, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == 3;
  ::close(s);
  return ok;
}

class ForwardsTest : public SandboxTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    // With bridge netfilter on, a hairpin DNAT is bridged port to port instead of routed (as in nat_test.cc).
    const BridgeNetfilter bridge_nf = SetBridgeNetfilter(GetParam());
    if (bridge_nf == BridgeNetfilter::kAbsent && GetParam()) GTEST_SKIP() << "br_netfilter is not loaded on this machine: the bridge netfilter case cannot run";
    ASSERT_NE(bridge_nf, BridgeNetfilter::kFailed);
    ASSERT_EQ(AddUpstream(kHostSide, kUpstream, std::string(" && ip -n upstream route add default via ") + kHostSide), 0);
    auto r = berth_.Run("apply -f " + kExample);
    ASSERT_EQ(r.status, 0) << r.out;
    vms_ = berth_.Vms();
    for (const char* port : {"bv-fw-client", "bv-fw-target"}) ASSERT_TRUE(WaitBridgePortForwarding(port)) << port;
    client_ = Attach("fw-client");
    target_ = Attach("fw-target");
    auto gw = client_->Arp(kGateway);
    ASSERT_TRUE(gw) << "no ARP reply from the gateway";
    gw_ = *gw;
  }
  void TearDown() override {
    SetBridgeNetfilter(true);
    SandboxTest::TearDown();
  }
  std::unique_ptr<Guest> Attach(const std::string& vm) {
    const auto& v = vms_[vm];
    const std::string ip = v.value("address", "");
    auto g = std::make_unique<Guest>("berth-" + vm, v.value("tap", ""), v.value("mac", ""), ip.substr(0, ip.find('/')));
    EXPECT_TRUE(g->ok()) << g->error();
    for (int i = 0; i < 50; ++i) {  // the TAP's queue is activated asynchronously once a guest attaches
      auto j = ShJson("ip -j -n berth-" + vm + " link show dev tap0");
      if (j.is_array() && j[0].value("operstate", "") == "UP" && j[0].value("qdisc", "") != "noop") break;
      Sh("sleep 0.05");
    }
    return g;
  }
  /// The client VM sends a datagram through the gateway (an IP packet for the host to route) to ip:port.
  bool ClientSends(const std::string& ip, uint16_t port, uint16_t sport = 5555) {
    return client_->Send(Guest::Udp(client_->mac(), ParseIp(kClient), sport, gw_, ParseIp(ip), port, "hairpin"));
  }
  bool TargetGetsUdp(uint32_t src, uint16_t port, int timeout_ms = 3000) {
    return target_->Receive([&](const Frame& f) { return Guest::IsUdp(f, src, ParseIp(kTarget), port); },
                            timeout_ms)
        .has_value();
  }
  bool TargetGetsSyn(uint16_t port, int timeout_ms = 3000) {
    return target_->Receive([&](const Frame& f) { return Guest::IsTcpSyn(f, ParseIp(kTarget), port); }, timeout_ms)
        .has_value();
  }

  BerthCli berth_;
  nlohmann::json vms_;
  std::unique_ptr<Guest> client_, target_;
  MacBytes gw_{};
};

TEST_P(ForwardsTest, HairpinReachesTheTargetMasqueradedAndRepliesComeBackTheSameWay) {
  // To the host's uplink address and to the gateway: both are the host's, both forward.
  for (const char* host : {kHostSide, kGateway}) {
    SCOPED_TRACE(host);
    ASSERT_TRUE(ClientSends(host, 9003));
    // Masqueraded to the gateway: the target's reply must come back through the host, not across the bridge.
    auto got = target_->Receive([&](const Frame& f) { return Guest::IsUdp(f, ParseIp(kGateway), ParseIp(kTarget), 9003); });
    ASSERT_TRUE(got) << "the hairpin datagram never reached the target, masqueraded to the gateway\n"
                     << "gw " << std::hex << int(gw_[0]) << ":" << int(gw_[5]) << std::dec << "\n" << Sh("ip link show fwbr0; bridge fdb show br fwbr0; cat /proc/net/nf_conntrack 2>/dev/null; conntrack -L 2>&1; ip neigh; ip route").out;
    const uint16_t masq_port = static_cast<uint16_t>(((*got)[34] << 8) | (*got)[35]);
    ASSERT_TRUE(target_->Send(Guest::Udp(target_->mac(), ParseIp(kTarget), 9003, gw_, ParseIp(kGateway), masq_port,
                                         "reply")));
    EXPECT_TRUE(client_->Receive([&](const Frame& f) { return Guest::IsUdp(f, ParseIp(host), ParseIp(kClient), 5555); }))
        << "the reply never came back to the client from the address it connected to";
  }
}

TEST_P(ForwardsTest, PeersDenyStillBlocksEverythingButTheForwardedPorts) {
  // Straight to the target, routed through the host: peer traffic, denied.
  ASSERT_TRUE(ClientSends(kTarget, 9003));
  EXPECT_FALSE(TargetGetsUdp(0, 9003, 1000)) << "peers: deny let the client reach the target directly";
  // Straight to the target across the bridge.
  ASSERT_TRUE(client_->Send(Guest::Udp(client_->mac(), ParseIp(kClient), 5555, target_->mac(), ParseIp(kTarget),
                                       9003, "l2")));
  EXPECT_FALSE(TargetGetsUdp(0, 9003, 1000)) << "peers: deny let the client reach the target across the bridge";
  // The host's address, a port no forward names: host traffic, and host: [] denies it; nothing reaches the target.
  ASSERT_TRUE(ClientSends(kHostSide, 9100));
  EXPECT_FALSE(TargetGetsUdp(0, 9100, 1000));
  // The forwarded port works meanwhile.
  ASSERT_TRUE(ClientSends(kHostSide, 9009));
  EXPECT_TRUE(TargetGetsUdp(ParseIp(kGateway), 9009));
}

TEST_P(ForwardsTest, OutsideClientsKeepTheirSourceAndFromNarrowsThem) {
  ASSERT_TRUE(SendUdpFrom("upstream", kHostSide, 9001));
  EXPECT_TRUE(TargetGetsUdp(ParseIp(kUpstream), 9001)) << "an outside client is not masqueraded";
  // tcp 8443 accepts only 198.51.100.0/24.
  int c = ConnectFrom("upstream", kHostSide, 8443);
  ASSERT_GE(c, 0);
  EXPECT_FALSE(TargetGetsSyn(443, 1000)) << "a source outside from: reached the forward";
  ::close(c);
  c = ConnectFrom("upstream", kHostSide, 8080);
  ASSERT_GE(c, 0);
  EXPECT_TRUE(TargetGetsSyn(80));
  ::close(c);
}

TEST_P(ForwardsTest, HostLocalClientsAndLoopbackOnlyWhereAsked) {
  int c = ConnectFrom("", kHostSide, 8080);
  ASSERT_GE(c, 0);
  EXPECT_TRUE(TargetGetsSyn(80)) << "a host-local client of the host's address did not reach the VM";
  ::close(c);
  c = ConnectFrom("", "127.0.0.1", 8080);
  ASSERT_GE(c, 0);
  EXPECT_TRUE(TargetGetsSyn(80)) << "127.0.0.1:8080 (localhost: true) did not reach the VM";
  ::close(c);
  ASSERT_TRUE(SendUdpFrom("", kGateway, 9005));
  EXPECT_TRUE(TargetGetsUdp(0, 9005));
  ASSERT_TRUE(SendUdpFrom("", "127.0.0.1", 9006));
  EXPECT_FALSE(TargetGetsUdp(0, 9006, 1000)) << "127.0.0.1 reached a forward without localhost: true";

  // route_localnet only on the bridge, with the 127/8 guard beside it.
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/conf/fwbr0/route_localnet").out, "1\n");
  EXPECT_EQ(Sh("cat /proc/sys/net/ipv4/conf/up0/route_localnet").out, "0\n");
  const std::string rules = Sh("nft list chain inet berth preroute").out;
  EXPECT_NE(rules.find("iifname != \"lo\" ip daddr 127.0.0.0/8 ct state != established | related"), std::string::npos)
      << rules;
  auto r = berth_.Run("plan -f " + kExample);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("No changes"), std::string::npos) << "not converged: " << r.out;
  // destroy puts route_localnet back.
  r = berth_.Run("destroy");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(Sh("ip link show fwbr0").status, 0);
}

TEST_P(ForwardsTest, AGuestOnTheBridgeCannotReachTheHostsLoopback) {
  // A service on the host's loopback; a device on the bridge that no VM policy covers sends to 127.0.0.1
  // through the gateway. route_localnet is on for the bridge: only the guard stops it.
  int srv = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(srv, 0);
  sockaddr_in lo = Addr("127.0.0.1", 7070);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&lo), sizeof lo), 0);
  timeval tv{1, 0};
  ::setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // A veth pair: frames written to bi1 enter the bridge at bi0, as from any device plugged into it.
  ASSERT_EQ(Sh("ip link add bi0 type veth peer name bi1 && ip link set bi0 master fwbr0 up && ip link set bi1 up")
                .status,
            0);
  ASSERT_TRUE(WaitBridgePortForwarding("bi0"));
  const MacBytes intruder = ParseMacBytes(ShJson("ip -j link show bi1")[0].value("address", ""));
  // The bridge's address now: a new port may have changed it.
  const MacBytes bridge = ParseMacBytes(ShJson("ip -j link show fwbr0")[0].value("address", ""));
  const Frame frame = Guest::Udp(intruder, ParseIp("10.171.0.99"), 4444, bridge, ParseIp("127.0.0.1"), 7070, "x");
  int raw = ::socket(AF_PACKET, SOCK_RAW, 0);
  ASSERT_GE(raw, 0);
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = static_cast<int>(::if_nametoindex("bi1"));
  ll.sll_halen = 6;
  ASSERT_EQ(::sendto(raw, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&ll), sizeof ll),
            static_cast<ssize_t>(frame.size()));
  ::close(raw);
  char buf[16];
  EXPECT_LT(::recv(srv, buf, sizeof buf, 0), 0) << "a packet from the bridge reached the host's loopback service";
  ::close(srv);
}

/// The table's handle ("table inet berth { # handle 7"), then "HANDLE GROUP" of every berth rule in it whose
/// group starts with `group_prefix`, sorted. A rewrite makes the table anew: it gets another handle.
std::vector<std::string> RuleHandles(const std::string& group_prefix) {
  std::vector<std::string> out;
  std::istringstream in(Sh("nft -a list table inet berth").out);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("table inet berth { # handle ")) out.push_back("table " + line.substr(28));
    const size_t c = line.rfind("comment \"berth:"), h = line.rfind("# handle ");
    if (c == std::string::npos || h == std::string::npos || h < c) continue;
    const std::string group = line.substr(c + 15, line.find('"', c + 15) - c - 15);
    if (group.starts_with(group_prefix)) out.push_back(line.substr(h + 9) + " " + group);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_P(ForwardsTest, AForwardAddedLaterReplacesOnlyItsNatsRules) {
  // Another forward to the target: the NAT's shared rules change, and nothing else is rewritten: the table and
  // every per-VM rule keep their handles (a rewrite makes the table anew).
  const std::vector<std::string> vm_rules = RuleHandles("vm/");
  ASSERT_FALSE(vm_rules.empty());
  std::string network = Sh("cat " + kExample + "/network.yaml").out;
  const std::string anchor = "  forwards:\n";
  ASSERT_NE(network.find(anchor), std::string::npos);
  network.insert(network.find(anchor) + anchor.size(), "    - {protocol: tcp, port: 8081, to: \"10.171.0.40:81\"}\n");
  const std::string dir = berth_.WriteManifest("network.yaml", network);
  ASSERT_EQ(Sh("cp " + kExample + "/vms.yaml " + dir + "/").status, 0);
  auto r = berth_.Run("apply -f " + dir);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("forward +\"fib daddr type local tcp dport 8081 dnat ip to 10.171.0.40:81\""), std::string::npos)
      << r.out;
  EXPECT_EQ(RuleHandles("vm/"), vm_rules) << "the table was rewritten";
  int c = ConnectFrom("upstream", kHostSide, 8081);
  ASSERT_GE(c, 0);
  EXPECT_TRUE(TargetGetsSyn(81)) << "the added forward does not reach the target";
  ::close(c);
  c = ConnectFrom("upstream", kHostSide, 8080);
  ASSERT_GE(c, 0);
  EXPECT_TRUE(TargetGetsSyn(80)) << "the forward there before stopped working";
  ::close(c);
  EXPECT_EQ(berth_.Run("plan -f " + dir + " --detailed-exitcode").status, 0);
}

INSTANTIATE_TEST_SUITE_P(BridgeNetfilter, ForwardsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "BrNfOn" : "BrNfOff"; });

}  // namespace
}  // namespace berth::itest
