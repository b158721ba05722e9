// Integration test helpers: tools through popen, the sandbox guard and reset, resource builders.
#include "tests/integration/sandbox_env.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <linux/magic.h>
#include <map>

#include "drivers/linux/platform/linux_resources.h"

namespace berth::itest {
namespace lr = reconciler::linux_res;

CmdResult Sh(const std::string& cmd) {
  CmdResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

nlohmann::json ShJson(const std::string& cmd) {
  CmdResult r;
  FILE* p = ::popen(cmd.c_str(), "r");  // stdout only: warnings on stderr must not spoil the JSON
  if (!p) return nullptr;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << cmd;
  if (r.out.find_first_not_of(" \n\t") == std::string::npos) return nullptr;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << cmd << ": " << r.out;
  return j;
}

void RequireSandbox() {
  auto die = [](const std::string& why) {
    std::cerr << "berth_integration_tests: refusing to run outside tests/integration/sandbox.sh: " << why << "\n";
    std::exit(1);
  };
  const char* flag = std::getenv("BERTH_SANDBOX");
  const char* outer = std::getenv("BERTH_SANDBOX_OUTER_NETNS");
  if (!flag || std::string(flag) != "1" || !outer) die("BERTH_SANDBOX is not set");
  char self[128] = {};
  if (::readlink("/proc/self/ns/net", self, sizeof self - 1) < 0 || std::string(self) == outer) {
    die("still in the outer network namespace");
  }
  for (const char* dir : {"/run/netns", "/etc/netns"}) {
    struct statfs st {};
    if (::statfs(dir, &st) != 0 || st.f_type != TMPFS_MAGIC) die(std::string(dir) + " is not a private tmpfs");
  }
}

void ResetSandbox() {
  RequireSandbox();
  // Host links first (a veth's host end takes its peer along), then namespaces, tables, files.
  Sh("for l in $(ls /sys/class/net); do [ \"$l\" = lo ] || ip link del \"$l\"; done");
  Sh("ip -all netns delete; find /run/netns -mindepth 1 -maxdepth 1 -exec umount -l {} \\; -exec rm -f {} \\;");
  Sh("nft flush ruleset; rm -rf /etc/netns/*; echo 0 > /proc/sys/net/ipv4/ip_forward");
  Sh("for l in $(ls /sys/class/net); do [ \"$l\" = lo ] || ip link del \"$l\"; done");
}

reconciler::Resource Res(const std::string& kind, const std::string& scope, const std::string& name,
                         reconciler::Attrs attrs, const std::string& origin) {
  reconciler::Resource r;
  r.key = reconciler::ResourceKey{kind, scope, name};
  r.attrs = std::move(attrs);
  r.provenance = reconciler::Provenance(origin, {});
  return r;
}

std::vector<reconciler::Resource> VmResources(const std::string& vm, const std::string& bridge,
                                              const std::string& mac, const std::string& mtu) {
  const std::string ns = "berth-" + vm, origin = "VM/" + vm;
  reconciler::Attrs veth{{lr::kType, "veth"}, {lr::kMaster, bridge},  {lr::kUp, "true"},     {lr::kPeer, "eth0"},
                         {lr::kPeerNetns, ns}, {lr::kPeerMac, mac},    {lr::kPeerUp, "true"}};
  reconciler::Attrs tap{{lr::kType, "tap"}, {lr::kUp, "true"}};
  if (!mtu.empty()) veth[lr::kMtu] = tap[lr::kMtu] = mtu;
  return {
      Res(lr::kNetns, "", ns, {}, origin),
      Res(lr::kLink, ns, "lo", {{lr::kType, "loopback"}, {lr::kUp, "true"}}, origin),
      Res(lr::kLink, "", "bv-" + vm, veth, origin),
      Res(lr::kLink, ns, "tap0", tap, origin),
      Res(lr::kTc, ns, "eth0", {{lr::kRedirectTo, "tap0"}}, origin),
      Res(lr::kTc, ns, "tap0", {{lr::kRedirectTo, "eth0"}}, origin),
  };
}

std::vector<reconciler::Resource> BridgeResources(const std::string& bridge, const std::string& cidr,
                                                  const std::string& mtu) {
  reconciler::Attrs attrs{{lr::kType, "bridge"}, {lr::kUp, "true"}};
  if (!mtu.empty()) attrs[lr::kMtu] = mtu;
  return {Res(lr::kLink, "", bridge, attrs, "Bridge/" + bridge),
          Res(lr::kAddr, "", bridge + "/" + cidr, {{lr::kDev, bridge}, {lr::kAddress, cidr}}, "Bridge/" + bridge)};
}

namespace {

/// Creation waves: what a resource needs must exist first (a simplified version of the plan's graph).
int Wave(const reconciler::Resource& r) {
  const std::string& k = r.key.kind;
  if (k == lr::kFile || k == lr::kSysctl || k == lr::kNftTable) return 0;
  if (k == lr::kNetns) return 1;
  if (k == lr::kLink && r.AttrOr(lr::kType) == "bridge") return 2;
  if (k == lr::kLink) return 3;
  if (k == lr::kAddr || k == lr::kNft) return 4;
  return 5;  // tc
}

}  // namespace

void ApplyAll(reconciler::Driver& driver, const std::vector<reconciler::Resource>& resources, reconciler::Op op) {
  std::map<int, reconciler::ApplyRequest> waves;
  int id = 0;
  for (const auto& r : resources) {
    int w = Wave(r);
    if (op == reconciler::Op::kDelete) w = -w;
    waves[w].actions.push_back(reconciler::Action{id++, op, r, {}});
  }
  for (auto& [w, req] : waves) {
    auto resp = driver.Apply(req);
    ASSERT_EQ(resp.results.size(), req.actions.size());
    for (const auto& res : resp.results) {
      EXPECT_FALSE(res.error.has_value()) << res.error->ToString();
    }
  }
}

std::optional<reconciler::DriverError> ApplyOne(reconciler::Driver& driver, const reconciler::Resource& r,
                                                reconciler::Op op, std::vector<std::string> fields) {
  reconciler::ApplyRequest req;
  req.actions.push_back(reconciler::Action{1, op, r, std::move(fields)});
  auto resp = driver.Apply(req);
  if (resp.results.size() != 1) return reconciler::DriverError{reconciler::DriverError::Kind::kOther, "", r.key, 0, "no result"};
  return resp.results[0].error;
}

reconciler::ObservedState ObserveOk(reconciler::Driver& driver, bool facts) {
  reconciler::ObserveRequest request;
  request.host_facts = facts;
  auto obs = driver.Observe(request);
  EXPECT_TRUE(obs.ok()) << (obs.ok() ? "" : obs.error().ToString());
  return obs.ok() ? *obs : reconciler::ObservedState{};
}

int ListenTcp(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

BridgeNetfilter SetBridgeNetfilter(bool on) {
  constexpr const char* kSwitch = "/proc/sys/net/bridge/bridge-nf-call-iptables";
  if (::access(kSwitch, W_OK) != 0) return BridgeNetfilter::kAbsent;
  return Sh(std::string("echo ") + (on ? "1" : "0") + " > " + kSwitch).status == 0 ? BridgeNetfilter::kSet
                                                                                     : BridgeNetfilter::kFailed;
}

int AddUpstream(const std::string& host_side, const std::string& upstream, const std::string& extra) {
  return Sh("ip netns add upstream && ip link add up0 type veth peer name eth0 netns upstream && ip addr add " +
            host_side + "/24 dev up0 && ip link set up0 up && ip -n upstream addr add " + upstream +
            "/24 dev eth0 && ip -n upstream link set eth0 up && ip -n upstream link set lo up" + extra)
      .status;
}

bool WaitBridgePortForwarding(const std::string& port) {
  return Sh("for i in $(seq 50); do [ \"$(cat /sys/class/net/" + port +
            "/brport/state)\" = 3 ] && exit 0; sleep 0.1; done; exit 1").status == 0;
}

}  // namespace berth::itest
