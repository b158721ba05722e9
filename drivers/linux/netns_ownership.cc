// Which berth- network namespaces observation reports as berth's; see netns_ownership.h.
#include "drivers/linux/netns_ownership.h"

#include "drivers/linux/platform/ownership.h"
#include "reconciler/half_made.h"

namespace berth::drivers::lnx {

using reconciler::Ownership;
using reconciler::Resource;

/// A berth- namespace holding links berth did not make (no group mark; lo comes with every namespace) is not
/// berth's: removing or adopting it would take them along. It is reported unowned, naming what it holds.
std::set<std::string> MarkForeignNetns(const std::vector<const NetnsView*>& views,
                                       const std::map<std::string, size_t>& netns_at, std::vector<Resource>& resources) {
  std::set<std::string> foreign;
  for (const NetnsView* v : views) {
    std::string holds;
    int count = 0;
    for (const auto& l : v->snap.links) {
      if (l.type == "loopback" || l.group == reconciler::kLinkGroup) continue;
      if (++count <= 4) holds += (holds.empty() ? "link " : ", link ") + l.name;
    }
    if (count == 0) continue;
    if (count > 4) holds += " and " + std::to_string(count - 4) + " more";
    auto it = netns_at.find(v->name);
    if (it == netns_at.end()) continue;
    Resource& r = resources[it->second];
    r.ownership = Ownership::kUnowned;
    r.attrs[reconciler::kHoldsUnownedAttr] = holds;
    foreign.insert(v->name);
  }
  return foreign;
}

void DisownUnrecordedNetns(const std::set<std::string>& unrecorded, const std::map<std::string, size_t>& netns_at,
                           std::vector<Resource>& resources, std::set<std::string>& foreign) {
  for (const std::string& name : unrecorded) {
    auto it = netns_at.find(name);
    if (it == netns_at.end()) continue;
    Resource& r = resources[it->second];
    r.ownership = Ownership::kUnowned;
    r.attrs.erase(reconciler::kBrokenAttr);  // a planted file is not berth's to replace
    if (!r.Attr(reconciler::kHoldsUnownedAttr)) r.attrs["recorded"] = "no: not in the state directory's netns.json";
    foreign.insert(name);
  }
}

}  // namespace berth::drivers::lnx
