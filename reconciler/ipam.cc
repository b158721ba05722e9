// Address and MAC allocation. Fixed addresses first, then persisted ones that are still valid, then the lowest
// free pool address in interface-id order, so the result does not depend on file order.
#include "reconciler/ipam.h"

#include <algorithm>
#include <set>

namespace berth::reconciler {
namespace {

struct Request {
  std::string id;        // "VM/vm1", "Jail/j1/vnet0"
  const model::Bridge* bridge = nullptr;
  std::optional<model::Cidr4> fixed;
  std::optional<model::Mac> mac;
  model::SourceSpan span;
  std::vector<model::Route> routes;
};

std::vector<Request> CollectRequests(const model::Manifest& m) {
  std::vector<Request> out;
  for (const auto& vm : m.vms) {
    // Disabled and loopback VMs that still name a bridge keep their assignment, so switching the mode back is
    // one word and brings the same address and MAC.
    if (vm.network.bridge.empty()) continue;
    out.push_back({vm.doc.Id(), m.FindBridge(vm.network.bridge), vm.network.address, vm.network.mac,
                   vm.doc.SpanOf("spec.network"), vm.network.routes});
  }
  for (const auto& jail : m.jails) {
    if (!jail.network.vnet) continue;
    for (const auto& itf : jail.network.interfaces)
      out.push_back({jail.doc.Id() + "/" + itf.name, m.FindBridge(itf.bridge), itf.address, itf.mac, itf.span});
  }
  std::sort(out.begin(), out.end(), [](const Request& a, const Request& b) { return a.id < b.id; });
  return out;
}

/// The usable range of a bridge: its pool (or subnet) without network, broadcast and gateway addresses.
struct Pool {
  model::Cidr4 range;
  model::Cidr4 subnet;
  model::Ipv4 gateway;
  bool Usable(model::Ipv4 ip) const {
    return range.Contains(ip) && subnet.Contains(ip) && ip != subnet.network() && ip != subnet.broadcast() &&
           ip != gateway;
  }
};

Pool PoolOf(const model::Bridge& b) {
  return Pool{b.pool.value_or(b.address.Network()), b.address.Network(), b.address.address};
}

}  // namespace

model::Mac DeriveMac(const std::string& interface_id) {
  // FNV-1a: stable across runs and builds, unlike std::hash.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : interface_id) h = (h ^ c) * 1099511628211ull;
  model::Mac mac;
  for (int i = 0; i < 6; ++i) mac.bytes[i] = static_cast<uint8_t>(h >> (8 * i));
  mac.bytes[0] = static_cast<uint8_t>((mac.bytes[0] & 0xfc) | 0x02);  // locally administered, unicast
  return mac;
}

AllocateResult Allocate(const model::Manifest& manifest, const Allocations& persisted) {
  AllocateResult result;
  const std::vector<Request> requests = CollectRequests(manifest);
  std::map<std::string, std::set<uint32_t>> taken;  // bridge -> addresses in use
  std::map<std::string, model::Cidr4> chosen;

  for (const auto& r : requests)
    if (r.bridge && r.fixed) {
      taken[r.bridge->doc.metadata.name].insert(r.fixed->address.value);
      chosen[r.id] = *r.fixed;
    }
  for (const auto& r : requests) {
    if (!r.bridge || r.fixed) continue;
    auto it = persisted.by_interface.find(r.id);
    if (it == persisted.by_interface.end()) continue;
    const model::Cidr4& old = it->second.address;
    auto& used = taken[r.bridge->doc.metadata.name];
    if (PoolOf(*r.bridge).Usable(old.address) && old.prefix == r.bridge->address.prefix && !used.count(old.address.value)) {
      used.insert(old.address.value);
      chosen[r.id] = old;
    }
  }
  // Nothing is freed below, so the lowest free address of a pool only moves up: each pool keeps a cursor
  // and the pass is linear instead of rescanning every taken address for each request.
  std::map<std::string, uint64_t> cursor;  // bridge -> offset in its pool below which nothing is free
  for (const auto& r : requests) {
    if (!r.bridge || chosen.count(r.id)) continue;
    const Pool pool = PoolOf(*r.bridge);
    auto& used = taken[r.bridge->doc.metadata.name];
    uint64_t& next = cursor[r.bridge->doc.metadata.name];
    bool found = false;
    for (uint64_t& i = next; i < pool.range.size() && !found; ++i) {
      model::Ipv4 ip{static_cast<uint32_t>(pool.range.network().value + i)};
      if (!pool.Usable(ip) || used.count(ip.value)) continue;
      used.insert(ip.value);
      chosen[r.id] = model::Cidr4{ip, r.bridge->address.prefix};
      found = true;
    }
    if (!found)
      result.diagnostics.push_back({model::Severity::kError, "pool-exhausted", "spec.network.address",
                                    "no free address left in the pool of bridge " + r.bridge->doc.metadata.name +
                                        " for " + r.id,
                                    "", r.span});
  }

  std::set<model::Mac> macs;
  for (const auto& r : requests)
    if (r.mac) macs.insert(*r.mac);
  for (const auto& r : requests) {
    auto addr = chosen.find(r.id);
    if (addr == chosen.end()) continue;
    model::Mac mac;
    if (r.mac) {
      mac = *r.mac;
    } else {
      auto old = persisted.by_interface.find(r.id);
      mac = old != persisted.by_interface.end() && !macs.count(old->second.mac) ? old->second.mac : DeriveMac(r.id);
      for (int salt = 1; macs.count(mac); ++salt) mac = DeriveMac(r.id + "#" + std::to_string(salt));
      macs.insert(mac);
    }
    result.allocations.by_interface[r.id] = Assignment{addr->second, mac, r.routes};
  }
  return result;
}

}  // namespace berth::reconciler
