// LinuxLaunchRecords: DescribeVms (what show prints) plus the MTU of the TAP and the reach of the VM's rules.
#include "drivers/linux/platform/linux_launch_record.h"

#include <nlohmann/json.hpp>

#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_policy_reach.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_show.h"

namespace berth::reconciler::linux_res {

std::vector<LaunchRecord> LinuxLaunchRecords(const ObservedState& observed, const Allocations& allocations,
                                             const std::string& netns_dir) {
  std::vector<LaunchRecord> out;
  for (const VmNetworkInfo& vm : DescribeVms(observed, allocations, netns_dir)) {
    const std::string ns = std::string(kNetnsPrefix) + vm.vm;
    nlohmann::json j = {{"version", kLaunchRecordVersion}, {"vm", vm.vm}, {"netns", vm.netns_path}};
    const bool linked = !vm.tap.empty();
    j["tap"] = linked ? nlohmann::json(vm.tap) : nlohmann::json(nullptr);
    j["mac"] = linked && !vm.mac.empty() ? nlohmann::json(vm.mac) : nlohmann::json(nullptr);
    j["addresses"] = nlohmann::json::array();
    if (linked && !vm.address.empty()) j["addresses"].push_back(vm.address);
    j["gateway"] = linked && !vm.gateway.empty() ? nlohmann::json(vm.gateway) : nlohmann::json(nullptr);
    j["routes"] = nlohmann::json::array();
    if (linked && !vm.gateway.empty()) j["routes"].push_back({{"to", "0.0.0.0/0"}, {"via", vm.gateway}});
    // The guest holds its routes itself (the netns's eth0 only redirects frames to the TAP): the launcher applies
    // these after the address, for instance with `ip route add TO via VIA` in the guest.
    if (linked)
      for (const model::Route& r : vm.routes) j["routes"].push_back({{"to", r.to.ToString()}, {"via", r.via.ToString()}});
    j["mtu"] = nullptr;
    if (const Resource* tap = linked ? observed.Find({kLink, ns, vm.tap}) : nullptr)
      if (auto mtu = tap->AttrOr(kMtu); !mtu.empty()) j["mtu"] = std::stoi(mtu);
    j["dns"] = {{"nameservers", vm.dns}, {"search", vm.dns_search}, {"options", vm.dns_options}};
    j["bandwidth"] = nullptr;
    if (vm.egress || vm.ingress) {
      j["bandwidth"] = nlohmann::json::object();
      for (auto [name, limit] : {std::pair{"egress", &vm.egress}, std::pair{"ingress", &vm.ingress}})
        if (*limit) {
          nlohmann::json& d = j["bandwidth"][name] = nlohmann::json::object();
          if ((*limit)->rate_bits) d.update({{"rate_bits", (*limit)->rate_bits}, {"burst_bytes", (*limit)->burst_bytes}});
          if ((*limit)->pps) d.update({{"pps", (*limit)->pps}, {"pkt_burst", (*limit)->pkt_burst}});
        }
    }
    j["reach"] = nullptr;
    if (const Resource* group = observed.Find({kNft, "", "vm/" + vm.vm}))
      if (auto reach = ReachFromGroup(*group)) j["reach"] = model::DescribeReach(*reach);
    if (!linked) j["reach"] = "none: no link to the host";
    out.push_back({"VM/" + vm.vm, vm.vm, j.dump(2) + "\n"});
  }
  return out;
}

}  // namespace berth::reconciler::linux_res
