// Rules about bridges' subnets and pools and the addresses and MACs of workloads on them.
#include <map>
#include <set>

#include "model/validate_rules.h"

namespace berth::model {
namespace {

bool IsValidBridge(const Bridge* bridge) { return bridge && bridge->doc.valid; }

// The pool addresses are handed out from: the subnet unless a pool is given. Nullopt when the given pool is
// malformed (reported by CheckBridges), so nothing is counted against it.
std::optional<Cidr4> EffectivePool(const Bridge& bridge) {
  Cidr4 subnet = bridge.address.Network();
  if (!bridge.pool) return subnet;
  const Cidr4& pool = *bridge.pool;
  if (pool.address != pool.network() || pool.prefix < subnet.prefix || !subnet.Contains(pool.address))
    return std::nullopt;
  return pool;
}

void CheckGateway(const Bridge& bridge, Diagnostics& out) {
  Cidr4 subnet = bridge.address.Network();
  const Ipv4 gateway = bridge.address.address;
  const char* what = gateway == subnet.network() ? "network" : gateway == subnet.broadcast() ? "broadcast" : nullptr;
  if (!what) return;
  out.push_back(ErrorAt(bridge.doc, "spec.address", "reserved-address",
                        gateway.ToString() + " is the " + what + " address of " + subnet.ToString() +
                            "; the gateway needs a host address such as " +
                            Cidr4{Ipv4{subnet.network().value + 1}, subnet.prefix}.ToString()));
}

// The loopback device and range belong to the host's own stack: a bridge there could not carry workloads.
void CheckLoopback(const Bridge& bridge, Diagnostics& out) {
  if (bridge.doc.metadata.name == "lo")
    out.push_back(ErrorAt(bridge.doc, "metadata.name", "reserved-name",
                          "\"lo\" is the loopback device every network namespace has; name the bridge otherwise"));
  const Cidr4 loopback{Ipv4{0x7f000000}, 8};
  if (loopback.Contains(bridge.address.address))
    out.push_back(ErrorAt(bridge.doc, "spec.address", "loopback-address",
                          bridge.address.ToString() + " is in 127.0.0.0/8, the loopback range: packets to it never "
                          "leave the host's loopback device; use a private range such as 10.0.0.0/8"));
}

// A Linux bridge has at most 1,024 ports and port 0 is reserved (BR_MAX_PORTS): the 1,024th VM's veth
// would fail to attach with EXFULL at apply time.
void CheckBridgePorts(const Bridge& bridge, const std::vector<const Attachment*>& attached, Diagnostics& out) {
  size_t vms = 0;
  for (const Attachment* a : attached) vms += a->doc->kind == "VM";
  if (vms <= kMaxBridgePorts) return;
  out.push_back(ErrorAt(bridge.doc, "metadata.name", "too-many-ports",
                        std::to_string(vms) + " VMs are on this bridge; a Linux bridge takes at most " +
                            std::to_string(kMaxBridgePorts) + " ports (spread them over more bridges)"));
}

void CheckPool(const Bridge& bridge, Diagnostics& out) {
  if (!bridge.pool) return;
  const Cidr4& pool = *bridge.pool;
  const Cidr4 subnet = bridge.address.Network();
  if (pool.address != pool.network()) {
    out.push_back(
        ErrorAt(bridge.doc, "spec.pool", "host-bits-set",
                "pool " + pool.ToString() + " has host bits set; did you mean " + pool.Network().ToString() + "?"));
  } else if (pool.prefix < subnet.prefix || !subnet.Contains(pool.address)) {
    out.push_back(ErrorAt(bridge.doc, "spec.pool", "pool-outside-subnet",
                          "pool " + pool.ToString() + " is not inside the bridge's subnet " + subnet.ToString()));
  }
}

// Where a fixed address sits relative to its bridge, in the order a user would fix it.
void CheckFixedAddress(const Attachment& a, const Bridge& bridge, Diagnostics& out) {
  const Cidr4& address = *a.address;
  const Cidr4 subnet = bridge.address.Network();
  const std::string field = a.Field("address");
  const std::string ip = address.address.ToString();
  if (!subnet.Contains(address.address)) {
    out.push_back(ErrorAt(*a.doc, field, "address-outside-subnet",
                          ip + " is outside " + subnet.ToString() + ", the subnet of Bridge/" + a.bridge));
  } else if (address.prefix != subnet.prefix) {
    out.push_back(ErrorAt(*a.doc, field, "prefix-mismatch",
                          "prefix /" + std::to_string(address.prefix) + " differs from the /" +
                              std::to_string(subnet.prefix) + " of Bridge/" + a.bridge + "; write " +
                              Cidr4{address.address, subnet.prefix}.ToString()));
  } else if (address.address == bridge.address.address) {
    out.push_back(ErrorAt(*a.doc, field, "address-is-gateway", ip + " is the gateway address of Bridge/" + a.bridge));
  } else if (address.address == subnet.network() || address.address == subnet.broadcast()) {
    out.push_back(ErrorAt(*a.doc, field, "reserved-address",
                          ip + " is the " + (address.address == subnet.network() ? "network" : "broadcast") +
                              " address of " + subnet.ToString()));
  }
}

// Counts the workloads that need an address from the pool against the addresses it has left.
void CheckPoolSize(const Bridge& bridge, const std::vector<const Attachment*>& attached, Diagnostics& out) {
  auto pool = EffectivePool(bridge);
  if (!pool) return;
  const Cidr4 subnet = bridge.address.Network();
  std::set<Ipv4> taken = {subnet.network(), subnet.broadcast(), bridge.address.address};
  size_t dynamic = 0;
  for (const Attachment* a : attached) {
    if (a->address)
      taken.insert(a->address->address);
    else
      ++dynamic;
  }
  uint64_t used = 0;
  for (Ipv4 ip : taken) used += pool->Contains(ip) ? 1 : 0;
  const uint64_t free = pool->size() - used;
  if (dynamic <= free) return;
  const std::string field = bridge.pool ? "spec.pool" : "spec.address";
  out.push_back(ErrorAt(bridge.doc, field, "pool-exhausted",
                        "pool " + pool->ToString() + " has " + std::to_string(free) + " free addresses for " +
                            std::to_string(dynamic) + " workloads without a fixed address"));
}

void CheckDefaultRouter(const Manifest& manifest, const Jail& jail, Diagnostics& out) {
  if (!jail.doc.valid || !jail.network.vnet || !jail.network.default_router) return;
  bool known = false;
  for (const JailInterface& ifc : jail.network.interfaces) {
    const Bridge* bridge = manifest.FindBridge(ifc.bridge);
    if (!IsValidBridge(bridge)) return;  // cannot tell; the bridge has its own diagnostics
    known = true;
    if (bridge->address.Network().Contains(*jail.network.default_router)) return;
  }
  if (known)
    out.push_back(ErrorAt(jail.doc, "spec.network.defaultRouter", "router-unreachable",
                          jail.network.default_router->ToString() +
                              " is not inside the subnet of any bridge the jail's interfaces are on"));
}

}  // namespace

void CheckBridges(const Manifest& manifest, Diagnostics& out) {
  std::vector<const Bridge*> checked;
  for (const Bridge& bridge : manifest.bridges) {
    if (!bridge.doc.valid) continue;
    CheckLoopback(bridge, out);
    CheckGateway(bridge, out);
    CheckPool(bridge, out);
    for (const Bridge* earlier : checked) {
      if (!earlier->address.Overlaps(bridge.address)) continue;
      out.push_back(ErrorAt(bridge.doc, "spec.address", "subnet-overlap",
                            "subnet " + bridge.address.Network().ToString() + " overlaps " +
                                earlier->address.Network().ToString() + " of " +
                                Describe(earlier->doc, "spec.address")));
      break;
    }
    checked.push_back(&bridge);
  }
}

void CheckAddresses(const Manifest& manifest, Diagnostics& out) {
  const std::vector<Attachment> attachments = CollectAttachments(manifest);
  std::map<std::string, std::vector<const Attachment*>> by_bridge;
  std::map<Ipv4, std::pair<const Document*, std::string>> ip_owner;
  std::map<Mac, std::pair<const Document*, std::string>> mac_owner;
  auto claim_ip = [&](Ipv4 ip, const Document& doc, const std::string& field) {
    auto [it, inserted] = ip_owner.emplace(ip, std::pair{&doc, field});
    if (!inserted)
      out.push_back(
          ErrorAt(doc, field, "duplicate-address",
                  ip.ToString() + " is already the address of " + Describe(*it->second.first, it->second.second)));
  };
  for (const Attachment& a : attachments) {
    const Bridge* bridge = manifest.FindBridge(a.bridge);
    if (!IsValidBridge(bridge)) continue;
    by_bridge[a.bridge].push_back(&a);
    if (a.address) {
      size_t before = out.size();
      CheckFixedAddress(a, *bridge, out);
      if (out.size() == before) claim_ip(a.address->address, *a.doc, a.Field("address"));
    }
    if (a.mac) {
      auto [it, inserted] = mac_owner.emplace(*a.mac, std::pair{a.doc, a.Field("mac")});
      if (!inserted)
        out.push_back(
            ErrorAt(*a.doc, a.Field("mac"), "duplicate-mac",
                    a.mac->ToString() + " is already the MAC of " + Describe(*it->second.first, it->second.second)));
    }
  }
  for (const Jail& jail : manifest.jails) {
    if (!jail.doc.valid || jail.network.vnet) continue;
    for (size_t i = 0; i < jail.network.ip4.size(); ++i)
      claim_ip(jail.network.ip4[i].address.address, jail.doc, "spec.network.ip4[" + std::to_string(i) + "]");
  }
  for (const Bridge& bridge : manifest.bridges)
    if (bridge.doc.valid) {
      CheckPoolSize(bridge, by_bridge[bridge.doc.metadata.name], out);
      CheckBridgePorts(bridge, by_bridge[bridge.doc.metadata.name], out);
    }
  for (const Jail& jail : manifest.jails) CheckDefaultRouter(manifest, jail, out);
}

}  // namespace berth::model
