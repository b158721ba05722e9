// berth's nftables layout; see nft_layout.h and docs/isolation.md for why the policy lives where it does.
#include "drivers/linux/nft_layout.h"

#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\n"), b = s.find_last_not_of(" \t\n");
  return a == std::string_view::npos ? "" : std::string(s.substr(a, b - a + 1));
}

}  // namespace

const std::vector<BaseChainSpec>& BaseChains() {
  static const std::vector<BaseChainSpec> chains = {
      {"inet", lr::kChainPrerouting, "type nat hook prerouting priority dstnat; policy accept;"},
      {"inet", lr::kChainPreroute, "type filter hook prerouting priority filter; policy accept;"},
      {"inet", lr::kChainInput, "type filter hook input priority filter; policy accept;"},
      {"inet", lr::kChainForward, "type filter hook forward priority filter; policy accept;"},
      {"inet", lr::kChainPostrouting, "type nat hook postrouting priority srcnat; policy accept;"},
      // Host-local clients of port forwards (linux_forwards.h).
      {"inet", lr::kChainOutput, "type nat hook output priority -100; policy accept;"},
      // Before br_netfilter (priority 0), so the bridge's decisions hold whatever bridge-nf-call-iptables says.
      {"bridge", "prerouting", "type filter hook prerouting priority filter; policy accept;"},
      {"bridge", "forward", "type filter hook forward priority filter; policy accept;"},
      // What the host sends or routes into a bridge: a VM's ingress packet rate (linux_policy.h).
      {"bridge", "output", "type filter hook output priority filter; policy accept;"},
  };
  return chains;
}

const std::vector<SetSpec>& Sets() {
  static const std::vector<SetSpec> sets = {
      {"inet", "vms", "ipv4_addr"},          {"inet", "peers_ok", "ipv4_addr"},
      {"inet", "full_vms", "ipv4_addr"},  // mode full: for reading the reach back; no rule uses it
      {"inet", "host_vm", "ipv4_addr : verdict"}, {"inet", "out_vm", "ipv4_addr : verdict"},
      {"bridge", "ports", "ifname"},         {"bridge", "ports_ok", "ifname"},
      {"bridge", "port_vm", "ifname : verdict"},  {"bridge", "l2_vm", "ifname : verdict"},
      {"bridge", "in_vm", "ifname : verdict"},
  };
  return sets;
}

std::string ChainAttr(std::string_view family, std::string_view chain) {
  if (family == "bridge") return lr::kBridgePrefix + std::string(chain);
  for (const auto& c : BaseChains())
    if (std::string_view(c.family) == "inet" && chain == c.name) return std::string(chain);
  return lr::kInetPrefix + std::string(chain);
}

bool SplitChainAttr(std::string_view attr, std::string& family, std::string& chain) {
  for (std::string_view prefix : {std::string_view(lr::kBridgePrefix), std::string_view(lr::kInetPrefix)}) {
    if (attr.starts_with(prefix)) {
      family = std::string(prefix.substr(0, prefix.size() - 1));
      chain = std::string(attr.substr(prefix.size()));
      return !chain.empty();
    }
  }
  for (const auto& c : BaseChains()) {
    if (std::string_view(c.family) == "inet" && attr == c.name) {
      family = "inet";
      chain = std::string(attr);
      return true;
    }
  }
  return false;
}

bool IsRuleAttr(std::string_view attr) {
  std::string family, chain;
  return attr == lr::kElements || SplitChainAttr(attr, family, chain);
}

std::vector<std::string> SplitElements(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      if (auto t = Trim(current); !t.empty()) out.push_back(t);
      current.clear();
      continue;
    }
    current += c;
  }
  if (auto t = Trim(current); !t.empty()) out.push_back(t);
  return out;
}

std::string ElementWithComment(const std::string& element, const std::string& comment) {
  const std::string c = " comment \"" + comment + "\"";
  size_t colon = element.find(" : ");
  if (colon == std::string::npos) return element + c;
  return element.substr(0, colon) + c + element.substr(colon);
}

}  // namespace berth::drivers::lnx
