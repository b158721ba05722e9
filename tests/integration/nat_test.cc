// NAT and network modes end to end with the berth binary: an "upstream" netns joined by a veth plays the
// outside world. An outbound VM reaches it masqueraded and cannot be reached from it; the full VM is reached
// through the NAT's port forward; disabled and loopback VMs have no path out. Each case runs with bridge
// netfilter off and on (net.bridge.bridge-nf-call-iptables, per netns): the policy's rules must not change it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/integration/cli_env.h"
#include "tests/integration/guest.h"

namespace berth::itest {
namespace {

const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/sandbox-modes";
constexpr const char* kHostSide = "203.0.113.1";
constexpr const char* kUpstream = "203.0.113.2";

sockaddr_in Addr(const std::string& ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

class NatTest : public SandboxTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    // br_netfilter is a kernel module shared by the whole machine: the tests never load it (that would change
    // the real host's bridges), they set its per-netns switch when the module is there and skip otherwise.
    const BridgeNetfilter bridge_nf = SetBridgeNetfilter(GetParam());
    if (bridge_nf == BridgeNetfilter::kAbsent && GetParam()) GTEST_SKIP() << "br_netfilter is not loaded on this machine: the bridge netfilter case cannot run";
    ASSERT_NE(bridge_nf, BridgeNetfilter::kFailed);
    ASSERT_EQ(AddUpstream(kHostSide, kUpstream, std::string(" && ip -n upstream route add 10.170.0.0/24 via ") + kHostSide), 0);
    auto r = berth_.Run("apply -f " + kExample);
    ASSERT_EQ(r.status, 0) << r.out;
    vms_ = berth_.Vms();
    for (const char* port : {"bv-sb-outbound", "bv-sb-full"}) {
      ASSERT_EQ(Sh(std::string("for i in $(seq 50); do [ \"$(cat /sys/class/net/") + port +
                   "/brport/state)\" = 3 ] && exit 0; sleep 0.1; done; exit 1").status, 0);
    }
  }
  void TearDown() override {
    SetBridgeNetfilter(true);
    SandboxTest::TearDown();
  }
  std::unique_ptr<Guest> Attach(const std::string& vm) {
    const auto& v = vms_[vm];
    auto g = std::make_unique<Guest>("berth-" + vm, v.value("tap", ""), v.value("mac", ""), Ip(vm));
    EXPECT_TRUE(g->ok()) << g->error();
    for (int i = 0; i < 50; ++i) {  // the TAP's queue is activated asynchronously once a guest attaches
      auto j = ShJson("ip -j -n berth-" + vm + " link show dev tap0");
      if (j.is_array() && j[0].value("operstate", "") == "UP" && j[0].value("qdisc", "") != "noop") break;
      Sh("sleep 0.05");
    }
    return g;
  }
  std::string Ip(const std::string& vm) {
    std::string a = vms_[vm].value("address", "");
    return a.substr(0, a.find('/'));
  }
  BerthCli berth_;
  nlohmann::json vms_;
};

TEST_P(NatTest, OutboundVmReachesUpstreamMasqueradedAndIsUnreachableFromIt) {
  auto g = Attach("sb-outbound");
  auto gw = g->Arp(vms_["sb-outbound"].value("gateway", ""));
  ASSERT_TRUE(gw) << "no ARP reply from the gateway";

  int srv = SocketIn("upstream", SOCK_DGRAM);
  ASSERT_GE(srv, 0);
  sockaddr_in any = Addr("0.0.0.0", 9999);
  ASSERT_EQ(::bind(srv, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  timeval tv{3, 0};
  ::setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  const uint32_t vm_ip = ParseIp(Ip("sb-outbound"));
  ASSERT_TRUE(g->Send(Guest::Udp(g->mac(), vm_ip, 5555, *gw, ParseIp(kUpstream), 9999, "hello")));
  char buf[64];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  ssize_t n = ::recvfrom(srv, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
  ASSERT_EQ(n, 5) << "upstream never got the VM's datagram";
  char src[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &from.sin_addr, src, sizeof src);
  EXPECT_STREQ(src, kHostSide) << "upstream must see the masqueraded source";

  // The reply finds its way back through conntrack.
  ASSERT_EQ(::sendto(srv, "back", 4, 0, reinterpret_cast<sockaddr*>(&from), len), 4);
  EXPECT_TRUE(g->Receive([&](const Frame& f) { return Guest::IsUdp(f, ParseIp(kUpstream), vm_ip, 5555); }))
      << "the reply never reached the VM";

  // A new connection from outside is dropped for the outbound VM, while the full VM is reachable.
  auto full = Attach("sb-full");
  sockaddr_in to_outbound = Addr(Ip("sb-outbound"), 7777), to_full = Addr(Ip("sb-full"), 7777);
  ASSERT_EQ(::sendto(srv, "in", 2, 0, reinterpret_cast<sockaddr*>(&to_outbound), sizeof to_outbound), 2);
  ASSERT_EQ(::sendto(srv, "in", 2, 0, reinterpret_cast<sockaddr*>(&to_full), sizeof to_full), 2);
  EXPECT_TRUE(full->Receive([&](const Frame& f) { return Guest::IsUdp(f, 0, ParseIp(Ip("sb-full")), 7777); }))
      << "the full VM should be reachable from outside";
  EXPECT_FALSE(g->Receive([&](const Frame& f) { return Guest::IsUdp(f, 0, vm_ip, 7777); }, 1000))
      << "an inbound datagram reached the outbound VM";
  ::close(srv);
}

TEST_P(NatTest, PortForwardReachesTheFullVm) {
  auto g = Attach("sb-full");
  int c = SocketIn("upstream", SOCK_STREAM);
  ASSERT_GE(c, 0);
  ::fcntl(c, F_SETFL, O_NONBLOCK);
  sockaddr_in to = Addr(kHostSide, 8080);
  ::connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to);  // in progress: the guest never answers
  EXPECT_TRUE(g->Receive([&](const Frame& f) { return Guest::IsTcpSyn(f, ParseIp(Ip("sb-full")), 80); }))
      << "tcp 8080 on the host never reached port 80 of the full VM";
  ::close(c);
}

TEST_P(NatTest, DisabledAndLoopbackVmsHaveNoPathOut) {
  for (const char* vm : {"sb-disabled", "sb-loopback"}) {
    const std::string ns = std::string("berth-") + vm;
    auto links = ShJson("ip -j -n " + ns + " link show");
    ASSERT_EQ(links.size(), 1u) << vm << ": " << links.dump();
    EXPECT_EQ(links[0]["ifname"], "lo");
    EXPECT_NE(Sh("ip -n " + ns + " route get " + kUpstream).status, 0) << vm << " has a route out";
    EXPECT_NE(Sh("ip netns exec " + ns + " bash -c 'echo x > /dev/udp/" + kUpstream + "/9'").status, 0) << vm;
  }
  EXPECT_EQ(ShJson("ip -j -n berth-sb-disabled link show lo")[0]["operstate"], "DOWN");
  EXPECT_NE(ShJson("ip -j -n berth-sb-loopback link show lo")[0]["flags"].dump().find("\"UP\""), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BridgeNetfilter, NatTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "BrNfOn" : "BrNfOff"; });

}  // namespace
}  // namespace berth::itest
