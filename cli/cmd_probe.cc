// berth probe VM PROTO TARGET[:PORT]: one packet as the VM (drivers/linux/probe.h), its outcome on stdout.
// Exit 0 when anything answered, 1 when silent, 2 on error (a usage or system problem, not the network's).
#include <cstring>
#include <iostream>

#include "cli/options.h"
#include "cli/session.h"
#include "model/net.h"
#include "drivers/linux/platform/linux_show.h"
#ifdef BERTH_HAVE_LINUX_DRIVER
#include "drivers/linux/probe.h"
#endif

namespace berth::cli {

#ifdef BERTH_HAVE_LINUX_DRIVER
namespace {

constexpr int kProbeError = 2;

int Fail(const std::string& message) {
  std::cerr << "berth probe: " << message << "\n";
  return kProbeError;
}

}  // namespace

int RunProbe(const Options& o) {
  namespace dl = drivers::lnx;
  if (o.platform != "linux" || !o.driver.empty()) return Fail("probe runs on Linux hosts only");
  dl::ProbeRequest req;
  req.protocol = o.probe_protocol == "tcp" ? dl::ProbeProtocol::kTcp
                 : o.probe_protocol == "udp" ? dl::ProbeProtocol::kUdp
                                             : dl::ProbeProtocol::kIcmp;
  const std::string& t = o.probe_target;
  const size_t colon = t.find(':');
  auto target = model::Ipv4::Parse(t.substr(0, colon));
  if (!target) return Fail("\"" + t + "\" is not IPV4[:PORT] such as 10.80.0.1:53");
  req.target = target->value;
  if (req.protocol == dl::ProbeProtocol::kIcmp) {
    if (colon != std::string::npos) return Fail("icmp takes no port");
  } else {
    const std::string port = colon == std::string::npos ? "" : t.substr(colon + 1);
    int n = 0;
    bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
    if (digits) n = std::stoi(port);
    if (!digits || n < 1 || n > 65535) return Fail(o.probe_protocol + " needs a port in 1..65535: " + t);
    req.port = static_cast<uint16_t>(n);
  }
  req.timeout_ms = static_cast<int>(o.probe_timeout * 1000);

  Session s(o);
  auto persisted = s.state_dir().LoadAllocations();
  if (!persisted) return Fail(persisted.error().message);
  auto observed = s.Observe(/*launch_facts=*/false);  // the VM's network only: no KVM probe
  if (!observed) return kProbeError;
  const reconciler::linux_res::VmNetworkInfo* vm = nullptr;
  auto vms = reconciler::linux_res::DescribeVms(*observed, *persisted, o.netns_dir);
  for (const auto& v : vms)
    if (v.vm == o.probe_vm) vm = &v;
  if (!vm) return Fail("no VM \"" + o.probe_vm + "\" on this host");
  auto address = model::Cidr4::Parse(vm->address);
  auto gateway = model::Ipv4::Parse(vm->gateway);
  if (!address || !gateway || vm->mac.empty()) return Fail("VM \"" + o.probe_vm + "\" has no network on a bridge");
  req.netns = "berth-" + vm->vm;
  req.mac = vm->mac;
  req.address = address->address.value;
  req.prefix = address->prefix;
  req.gateway = gateway->value;

  auto result = dl::RunProbe(req);
  if (!result) return Fail(result.error().what + ": " + std::strerror(result.error().err));
  std::cout << dl::ToString(result->outcome) << "\n";
  if (o.verbose) std::cerr << result->detail << "\n";
  return result->outcome == dl::ProbeOutcome::kSilent ? 1 : 0;
}

#else

int RunProbe(const Options&) {
  std::cerr << "berth probe: this build has no Linux driver\n";
  return 2;
}

#endif

}  // namespace berth::cli
