// The compound value of a jail record's epairs.
#include "drivers/freebsd/platform/freebsd_resources.h"

#include <sstream>

namespace berth::reconciler::freebsd_res {

std::vector<JailEpair> JailEpairsOf(const Attrs& attrs) {
  std::vector<JailEpair> out;
  for (auto it = attrs.lower_bound(std::string(kEpairPrefix)); it != attrs.end(); ++it) {
    if (!it->first.starts_with(kEpairPrefix)) break;
    JailEpair e;
    e.ifname = it->first.substr(kEpairPrefix.size());
    std::istringstream words(it->second);
    if (!(words >> e.host_end)) continue;
    for (std::string w; words >> w;) {
      size_t eq = w.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
      if (key == "bridge") e.bridge = value;
      else if (key == "mtu") e.mtu = value;
      else if (key == "peer") e.peer = value;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace berth::reconciler::freebsd_res
