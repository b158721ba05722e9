// `berth probe` against the test guest: for every case (host services, implicit entries, peers, metadata,
// egress allowed and denied) the guest sends the same packet from the VM's TAP with the VM's MAC and address,
// its outcome is classified as probe classifies its own, and the two must agree, whether or not a guest holds
// the TAP while probe runs.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "drivers/linux/frames.h"
#include "tests/integration/cli_env.h"
#include "tests/integration/guest.h"

namespace berth::itest {
namespace {

namespace fr = drivers::lnx::frames;
const std::string kExample = std::string(BERTH_SOURCE_DIR) + "/examples/manifests/sandbox-policy";
constexpr const char* kGw = "10.80.0.1";
constexpr const char* kHostSide = "203.0.113.1";
constexpr const char* kUpstream = "203.0.113.2";

struct Case {
  const char* vm;
  const char* proto;  // tcp, udp, icmp
  const char* target;
  uint16_t port;
  const char* expected;  // what both must say (a case that cannot fail would prove nothing)
};

class ProbeAgreementTest : public SandboxTest {
 protected:
  void SetUp() override {
    if (!HaveBerth()) GTEST_SKIP() << "the berth binary is not built";
    SandboxTest::SetUp();
    ASSERT_EQ(Sh(std::string("ip netns add upstream && ip link add up0 type veth peer name eth0 netns upstream && "
                             "ip addr add ") + kHostSide + "/24 dev up0 && ip link set up0 up && "
                             "ip -n upstream addr add " + kUpstream + "/24 dev eth0 && ip -n upstream link set eth0 up && "
                             "ip -n upstream route add 10.80.0.0/24 via " + kHostSide).status, 0);
    auto r = berth_.Run("apply -f " + kExample);
    ASSERT_EQ(r.status, 0) << r.out;
    vms_ = berth_.Vms();
    for (const char* port : {"bv-sbx-default", "bv-sbx-worker"}) ASSERT_TRUE(WaitBridgePortForwarding(port)) << port;
    listener_ = ListenTcp(8000);
    ASSERT_GE(listener_, 0) << "cannot listen on tcp/8000";
  }
  void TearDown() override {
    if (listener_ >= 0) ::close(listener_);
    SandboxTest::TearDown();
  }
  std::string Ip(const std::string& vm) {
    std::string a = vms_[vm].value("address", "");
    return a.substr(0, a.find('/'));
  }
  std::unique_ptr<Guest> Attach(const std::string& vm) {
    auto g = std::make_unique<Guest>("berth-" + vm, "tap0", vms_[vm].value("mac", ""), Ip(vm));
    EXPECT_TRUE(g->ok()) << g->error();
    for (int i = 0; i < 50; ++i) {  // the TAP's queue is activated asynchronously once a guest attaches
      auto j = ShJson("ip -j -n berth-" + vm + " link show dev tap0");
      if (j.is_array() && j[0].value("operstate", "") == "UP" && j[0].value("qdisc", "") != "noop") break;
      Sh("sleep 0.05");
    }
    return g;
  }
  std::string Probe(const Case& c) {
    std::string target = c.target;
    if (std::string(c.proto) != "icmp") target += ":" + std::to_string(c.port);
    auto r = berth_.Run(std::string("probe ") + c.vm + " " + c.proto + " " + target);
    EXPECT_TRUE(r.status == 0 || r.status == 1) << r.out;
    return r.out.substr(0, r.out.find('\n'));
  }
  /// The guest's packet and what came back, named as probe names it.
  std::string GuestOutcome(Guest& g, const Case& c, uint16_t sport) {
    const uint32_t self = ParseIp(Ip(c.vm)), target = ParseIp(c.target);
    const auto mac = ParseMacBytes(vms_[c.vm].value("mac", ""));
    const bool on_link = (target & 0xffffff00u) == (self & 0xffffff00u);
    auto next = g.Arp(on_link ? c.target : kGw, 1500);
    if (!next) return "silent";  // no next hop: nothing can answer
    const std::string proto = c.proto;
    const uint16_t id = sport;
    bool sent = false;
    if (proto == "tcp") sent = g.Send(fr::Tcp(mac, self, sport, *next, target, c.port, fr::kTcpSyn, 1000));
    else if (proto == "udp") sent = g.Send(fr::Udp(mac, self, sport, *next, target, c.port, {'x'}));
    else sent = g.Send(fr::IcmpEcho(mac, self, *next, target, id, 1));
    EXPECT_TRUE(sent);
    std::string outcome = "silent";
    g.Receive([&](const Frame& f) {
      auto p = fr::Parse(f);
      if (!p || p->ethertype != 0x0800 || p->ip_dst != self) return false;
      if (proto == "tcp" && p->proto == fr::kProtoTcp && p->ip_src == target && p->sport == c.port &&
          p->dport == sport) {
        if ((p->tcp_flags & (fr::kTcpSyn | fr::kTcpAck)) == (fr::kTcpSyn | fr::kTcpAck)) outcome = "open";
        else if (p->tcp_flags & fr::kTcpRst) outcome = "closed";
        else return false;
        return true;
      }
      if (proto == "udp" && p->proto == fr::kProtoUdp && p->ip_src == target && p->sport == c.port &&
          p->dport == sport)
        return outcome = "reply", true;
      if (p->proto != fr::kProtoIcmp) return false;
      if (proto == "icmp" && p->icmp_type == 0 && p->ip_src == target && p->icmp_id == id) return outcome = "reply", true;
      if (p->icmp_type == 3 || p->icmp_type == 11) {  // an error quoting our packet
        if (p->inner_dst != target) return false;
        if (proto != "icmp" && (p->inner_sport != sport || p->inner_dport != c.port)) return false;
        outcome = p->icmp_type == 3 && p->icmp_code == 3 ? "closed" : "answered";
        return true;
      }
      return false;
    }, 1500);
    return outcome;
  }

  BerthCli berth_;
  nlohmann::json vms_;
  int listener_ = -1;
};

TEST_F(ProbeAgreementTest, ProbeAndGuestAgreeOnEveryCase) {
  const Case cases[] = {
      {"sbx-default", "icmp", "10.80.0.1", 0, "reply"},              // implicit: echo to the gateway
      {"sbx-default", "udp", "10.80.0.1", 53, "closed"},             // implicit DNS; nothing listens
      {"sbx-default", "tcp", "10.80.0.1", 8000, "silent"},           // host service, not allowed
      {"sbx-default", "tcp", kHostSide, 8000, "silent"},             // ... on another host address
      {"sbx-worker", "tcp", "10.80.0.1", 8000, "open"},              // allowed host service
      {"sbx-worker", "tcp", kHostSide, 8000, "open"},                // ... on every host address
      {"sbx-worker", "tcp", "10.80.0.1", 8001, "closed"},            // allowed, nothing listens
      {"sbx-worker", "udp", "10.80.0.1", 8001, "silent"},            // tcp only
      {"sbx-default", "udp", "169.254.169.254", 80, "silent"},       // metadata
      {"sbx-default", "tcp", "10.80.0.11", 22, "silent"},            // peers: default denies
      {"sbx-worker", "icmp", "10.80.0.10", 0, "silent"},             // peers: the other side denies
      {"sbx-default", "tcp", kUpstream, 9, "closed"},                // egress allowed: upstream's RST
      {"sbx-default", "udp", kUpstream, 9, "closed"},                // ... its port unreachable
      {"sbx-worker", "tcp", kUpstream, 9, "silent"},                 // egress denied 203.0.113.0/24
      {"sbx-default", "tcp", "10.20.0.5", 443, "silent"},            // egress denied private
  };
  uint16_t sport = 42000;
  for (const Case& c : cases) {
    const std::string what = std::string(c.vm) + " " + c.proto + " " + c.target + ":" + std::to_string(c.port);
    const std::string alone = Probe(c);
    auto g = Attach(c.vm);
    const std::string guest = GuestOutcome(*g, c, sport++);
    const std::string beside = Probe(c);
    EXPECT_EQ(guest, c.expected) << what << ": the guest";
    EXPECT_EQ(alone, guest) << what << ": probe without a guest on the TAP";
    EXPECT_EQ(beside, guest) << what << ": probe with a guest holding the TAP";
  }
}

}  // namespace
}  // namespace berth::itest
