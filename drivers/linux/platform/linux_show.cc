// DescribeVms: joins the netns, veth, TAP, bridge address and DNS file of each berth VM.
#include "drivers/linux/platform/linux_show.h"

#include <cstdlib>
#include <sstream>

#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "model/parse_bandwidth.h"

namespace berth::reconciler::linux_res {

std::string DescribeRateLimit(const RateLimit& limit) {
  std::string out;
  if (limit.rate_bits) out = model::FormatRate(limit.rate_bits) + " burst " + std::to_string(limit.burst_bytes) + "b";
  if (limit.pps)
    out += (out.empty() ? "" : ", ") + std::to_string(limit.pps) + "pps burst " + std::to_string(limit.pkt_burst) + " packets";
  return out;
}

std::vector<VmNetworkInfo> DescribeVms(const ObservedState& observed, const Allocations& allocations,
                                       const std::string& netns_dir) {
  std::vector<VmNetworkInfo> out;
  for (const auto& r : observed.resources) {
    if (r.key.kind != kNetns || !r.key.name.starts_with(linux_res::kNetnsPrefix)) continue;
    VmNetworkInfo info;
    info.vm = r.key.name.substr(linux_res::kNetnsPrefix.size());
    info.netns_path = netns_dir + "/" + r.key.name;
    if (observed.Find({kLink, r.key.name, std::string(linux_res::kVmTapName)})) info.tap = linux_res::kVmTapName;
    if (const Resource* veth = observed.Find({kLink, "", linux_res::VmHostVethName(info.vm)})) {
      info.mac = veth->AttrOr(kPeerMac);
      info.bridge = veth->AttrOr(kMaster);
      for (const auto& a : observed.resources)
        if (a.key.kind == kAddr && a.key.scope.empty() && a.AttrOr(kDev) == info.bridge && !info.bridge.empty()) {
          std::string gw = a.AttrOr(kAddress);
          info.gateway = gw.substr(0, gw.find('/'));
          break;
        }
    }
    if (auto it = allocations.by_interface.find("VM/" + info.vm); it != allocations.by_interface.end() && !info.tap.empty())
    {
      info.address = it->second.address.ToString();
      info.routes = it->second.routes;
    }
    if (const Resource* f = observed.Find({kFile, "", "/etc/netns/" + r.key.name + "/resolv.conf"})) {
      std::istringstream in(f->AttrOr(kContent));
      for (std::string word, line; std::getline(in, line);) {
        std::istringstream words(line);
        if (!(words >> word)) continue;
        std::vector<std::string>* into = word == "nameserver" ? &info.dns
                                         : word == "search"   ? &info.dns_search
                                         : word == "options"  ? &info.dns_options
                                                              : nullptr;
        // A nameserver line names one server; search and options lines list several.
        for (std::string item; into && words >> item; into = word == "nameserver" ? nullptr : into)
          into->push_back(item);
      }
    }
    if (const Resource* proc = observed.Find({kVmProc, "", info.vm})) {
      info.hypervisor = proc->AttrOr(kHypervisor);
      info.running = proc->AttrOr(kRunning);
      info.accelerator = proc->AttrOr(kAccelerator);
      info.pid = std::atoi(proc->AttrOr(kPid, "0").c_str());
    }
    auto number = [](const Resource* res, const char* field) { return std::strtoull(res->AttrOr(field).c_str(), nullptr, 10); };
    for (auto [dev, into] : {std::pair{kVmPeerName, &info.egress}, std::pair{kVmTapName, &info.ingress}}) {
      if (const Resource* q = observed.Find({kQdisc, r.key.name, std::string(dev)}))
        *into = RateLimit{number(q, kRate), number(q, kBurst)};
    }
    // Packet rates are rules of the VM's group at its bridge port (linux_policy.h).
    if (const Resource* group = observed.Find({kNft, "", "vm/" + info.vm})) {
      for (auto [egress, into] : {std::pair{true, &info.egress}, std::pair{false, &info.ingress}}) {
        if (auto rate = PacketRateOf(group->attrs, info.vm, egress)) {
          if (!*into) *into = RateLimit{};
          (*into)->pps = rate->pps;
          (*into)->pkt_burst = rate->burst;
        }
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace berth::reconciler::linux_res
