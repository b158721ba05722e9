// rapidcheck generators of network policies (model/policy.h) on top of generators.h's manifests: every field
// of a bridge's or a VM's policy block present or not, entries drawn from small pools so inheritance, named sets,
// overlapping allow/deny entries and implicit-entry overrides all occur. Only blocks the parser accepts.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "model/manifest.h"
#include "tests/property/generators.h"

namespace berth::proptest {

inline model::EgressRule Egress(std::variant<model::Cidr4, model::NamedSet> to, model::PolicyProtocol protocol,
                                std::optional<model::PortRange> port = std::nullopt) {
  return model::EgressRule{std::move(to), protocol, port, {}};
}

inline rc::Gen<model::Policy> GenPolicy() {
  return rc::gen::exec([] {
    using model::PolicyProtocol;
    const auto cidr = [](const char* text) { return *model::Cidr4::Parse(text); };
    const std::vector<model::HostRule> host_pool = {
        {PolicyProtocol::kTcp, model::PortRange{22, 22}, {}},     {PolicyProtocol::kUdp, model::PortRange{53, 53}, {}},
        {PolicyProtocol::kTcp, model::PortRange{8000, 8099}, {}}, {PolicyProtocol::kIcmp, std::nullopt, {}},
        {PolicyProtocol::kTcp, std::nullopt, {}}};
    const std::vector<model::EgressRule> allow_pool = {
        Egress(cidr("10.20.0.5/32"), PolicyProtocol::kTcp, model::PortRange{443, 443}),
        Egress(cidr("203.0.113.0/24"), PolicyProtocol::kAny),
        Egress(model::NamedSet::kPrivate, PolicyProtocol::kUdp, model::PortRange{53, 53}),
        Egress(cidr("198.51.100.0/24"), PolicyProtocol::kTcp, model::PortRange{80, 89}),
        Egress(model::NamedSet::kLinkLocal, PolicyProtocol::kIcmp)};
    const std::vector<model::EgressRule> deny_pool = {
        Egress(model::NamedSet::kPrivate, PolicyProtocol::kAny), Egress(cidr("203.0.113.0/24"), PolicyProtocol::kAny),
        Egress(model::NamedSet::kLinkLocal, PolicyProtocol::kAny), Egress(cidr("192.0.2.0/24"), PolicyProtocol::kIcmp),
        Egress(model::NamedSet::kMulticast, PolicyProtocol::kAny), Egress(cidr("10.0.0.0/8"), PolicyProtocol::kTcp)};
    // Up to three distinct entries of a pool, in the drawn order.
    auto some = [](const auto& pool) {
      using Entry = typename std::decay_t<decltype(pool)>::value_type;
      std::vector<Entry> out;
      const int n = *rc::gen::inRange(0, 4);
      for (int i = 0; i < n; ++i) {
        Entry e = pool[size_t(*rc::gen::inRange(0, int(pool.size())))];
        if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
      }
      return out;
    };
    model::Policy p;
    if (*rc::gen::arbitrary<bool>()) p.host = some(host_pool);
    if (*rc::gen::arbitrary<bool>()) p.peers = *rc::gen::element(model::PeerMode::kDeny, model::PeerMode::kAllow);
    if (*rc::gen::arbitrary<bool>()) p.egress_default_allow = *rc::gen::arbitrary<bool>();
    if (*rc::gen::arbitrary<bool>()) p.egress_allow = some(allow_pool);
    if (*rc::gen::arbitrary<bool>()) p.egress_deny = some(deny_pool);
    // The parser refuses a deny entry wholly inside an allow entry of the same block (it could never match).
    if (p.egress_allow && p.egress_deny)
      std::erase_if(*p.egress_deny, [&](const model::EgressRule& d) {
        return std::any_of(p.egress_allow->begin(), p.egress_allow->end(),
                           [&](const model::EgressRule& a) { return d.Inside(a); });
      });
    return p;
  });
}

/// A manifest of generators.h with a policy on some bridges and some VMs.
inline rc::Gen<model::Manifest> GenPolicyManifest() {
  return rc::gen::exec([] {
    model::Manifest m = *GenManifest();
    for (auto& b : m.bridges)
      if (*rc::gen::inRange(0, 3) == 0) b.policy = *GenPolicy();
    for (auto& vm : m.vms) {
      if (*rc::gen::arbitrary<bool>()) vm.network.policy = *GenPolicy();
      // A VM whose dns names its gateway gets the implicit DNS entries.
      if (!vm.network.bridge.empty() && *rc::gen::arbitrary<bool>())
        vm.network.dns.insert(vm.network.dns.begin(), BridgeSubnetPrefix(vm.network.bridge) + "1");
    }
    return m;
  });
}

}  // namespace berth::proptest
