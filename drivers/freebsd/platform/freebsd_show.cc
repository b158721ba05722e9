// DescribeJails: joins each berth jail with its in-jail interfaces, their epairs' bridges, route and resolv.conf.
#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_show.h"

#include <sstream>

#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::reconciler::freebsd_res {

std::vector<JailNetworkInfo> DescribeJails(const ObservedState& observed) {
  std::vector<JailNetworkInfo> out;
  for (const auto& r : observed.resources) {
    if (r.key.kind != kJail || r.ownership == Ownership::kUnowned) continue;
    JailNetworkInfo info;
    info.jail = r.key.name;
    info.owner = r.owner;
    info.path = r.AttrOr(kPath);
    info.vnet = r.AttrOr(kVnet) == "new";
    std::istringstream ip4(r.AttrOr(kIp4Addr));
    for (std::string a; std::getline(ip4, a, ',');) info.ip4.push_back(a);
    for (const auto& x : observed.resources) {
      if (x.key.scope != info.jail) continue;
      if (x.key.kind == kJif && x.key.name != "lo0") {
        JailInterfaceInfo i{x.key.name, x.AttrOr(kAddress), x.AttrOr(kMac), x.AttrOr(kEpair), ""};
        for (const auto& e : JailEpairsOf(r.attrs))
          if (e.ifname == i.name) i.bridge = e.bridge;
        info.interfaces.push_back(std::move(i));
      } else if (x.key.kind == kRoute && x.key.name == "default") {
        info.gateway = x.AttrOr(kGateway);
      } else if (x.key.kind == kRoute) {
        info.routes.emplace_back(x.key.name, x.AttrOr(kGateway));
      } else if (x.key.kind == kFile && x.key.name == kResolvConf) {
        std::istringstream in(x.AttrOr(kContent));
        for (std::string line, word; std::getline(in, line);) {
          std::istringstream words(line);
          if (words >> word && word == "nameserver" && words >> word) info.dns.push_back(word);
        }
      }
    }
    for (const auto& p : observed.resources)
      if (p.key.kind == kPipe && p.AttrOr(kJailAttr) == info.jail && PipeRecordError(p) == std::nullopt)
        (p.key.name >= std::to_string(kIngressPipeFirst) ? info.ingress_bits : info.egress_bits) = p.AttrOr(kBw);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace berth::reconciler::freebsd_res
