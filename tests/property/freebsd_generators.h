// rapidcheck generators for the FreeBSD properties: random jail manifests (bridges with and without MTU, NATs,
// VNET jails in every mode with plain and secure interfaces, non-VNET jails) built as model::Manifest, and
// random histories of a simulated FreeBSD host: an earlier manifest applied, jails that died (ends returned or
// still in transit) or are stuck dying, berth's leftovers, and objects berth does not own.
//
// Reproducing a failure: RC_PARAMS="reproduce=<string rapidcheck printed>" build/tests/property/berth_property_tests
// --gtest_filter='FreeBsd*'.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "model/manifest.h"

namespace berth::proptest::freebsd {

inline const std::vector<std::string> kJailNames = {"web", "db", "cache", "vault", "mail"};

inline model::Document Doc(const std::string& kind, const std::string& name, int line) {
  model::Document d;
  d.kind = kind;
  d.metadata.name = name;
  d.span = {kind + ".yaml", line, 1};
  return d;
}

/// Two fixed bridges, so earlier and current manifests overlap: "bridge0" 10.60.0.0/24 and "jailbr1"
/// 10.61.0.0/24; a jail's n-th interface on bridge b gets .(10 + 10 * jail + n) — unique, inside the subnet.
inline model::Manifest BuildManifest(const std::vector<int>& bridges_mtu, bool nat, const std::vector<int>& shape) {
  model::Manifest m;
  const std::vector<std::string> names = {"bridge0", "jailbr1"};
  for (size_t b = 0; b < bridges_mtu.size() && b < names.size(); ++b) {
    model::Bridge br;
    br.doc = Doc("Bridge", names[b], int(b) + 1);
    br.address = *model::Cidr4::Parse("10." + std::to_string(60 + b) + ".0.1/24");
    if (bridges_mtu[b] > 0) br.mtu = bridges_mtu[b];
    m.bridges.push_back(br);
  }
  if (nat && !m.bridges.empty()) {
    model::Nat n;
    n.doc = Doc("NAT", "out", 10);
    n.source = std::string("bridge0");
    n.egress = "em0";
    for (int j = 0; j < 2; ++j) {
      model::PortForward f;
      f.protocol = j == 0 ? model::Protocol::kTcp : model::Protocol::kUdp;
      f.port = uint16_t(8000 + j);
      f.to_address = *model::Ipv4::Parse("10.60.0." + std::to_string(10 + 10 * j));
      f.to_port = 80;
      n.forwards.push_back(f);
    }
    m.nats.push_back(n);
  }
  // shape[j]: 0 absent; 1 VNET outbound; 2 VNET full; 3 VNET secure; 4 two interfaces; 5 loopback; 6 disabled;
  // 7 non-VNET; 8 VNET outbound with dns.
  for (size_t j = 0; j < shape.size() && j < kJailNames.size(); ++j) {
    if (shape[j] == 0) continue;
    model::Jail jail;
    jail.doc = Doc("Jail", kJailNames[j], 20 + int(j));
    jail.path = "/jails/" + kJailNames[j];
    const int kind = shape[j];
    if (kind == 7) {
      jail.network.vnet = false;
      jail.network.ip4.push_back({"em0", *model::Cidr4::Parse("10.1.1." + std::to_string(10 + j) + "/24"), {}});
      m.jails.push_back(jail);
      continue;
    }
    if (kind == 5 || kind == 6) {
      jail.network.mode = kind == 5 ? model::NetworkMode::kLoopback : model::NetworkMode::kDisabled;
      m.jails.push_back(jail);
      continue;
    }
    if (m.bridges.empty()) continue;
    jail.network.mode = kind == 2 ? model::NetworkMode::kFull : model::NetworkMode::kOutbound;
    const int count = kind == 4 && m.bridges.size() > 1 ? 2 : 1;
    for (int n = 0; n < count; ++n) {
      model::JailInterface itf;
      itf.name = "vnet" + std::to_string(n);
      itf.bridge = m.bridges[size_t(n)].doc.metadata.name;
      itf.secure = kind == 3;
      itf.address = *model::Cidr4::Parse("10." + std::to_string(60 + n) + ".0." + std::to_string(10 + 10 * j + n) + "/24");
      jail.network.interfaces.push_back(itf);
    }
    jail.network.default_router = *model::Ipv4::Parse("10.60.0.1");
    if (kind == 8) jail.network.dns = {"10.60.0.1"};
    m.jails.push_back(jail);
  }
  return m;
}

inline rc::Gen<model::Manifest> GenJailManifest() {
  return rc::gen::exec([] {
    auto mtus = *rc::gen::container<std::vector<int>>(size_t(*rc::gen::inRange(1, 3)), rc::gen::element(0, 1500, 9000));
    bool nat = *rc::gen::arbitrary<bool>();
    auto shape = *rc::gen::container<std::vector<int>>(kJailNames.size(), rc::gen::inRange(0, 9));
    return BuildManifest(mtus, nat, shape);
  });
}

/// What happens to the host between the earlier apply and the run under test.
struct History {
  model::Manifest previous;
  std::vector<int> killed;            // indexes into kJailNames: VNET jails that die behind berth's back
  bool settle = true;                 // whether their ends are back on the host yet
  std::vector<int> dying;             // VNET jails, not in the current manifest, stuck DYING after removal
  bool leak_bridge = false;           // a bridge of berth's no manifest wants
  bool leak_epair = false;            // an epair cut short after its tagged clone
  bool leak_ipfw = false;             // an ipfw rule in berth's range
  bool foreign = false;               // a bridge, an iocage-style epair and a jail that are not berth's
};

struct FreeBsdScenario {
  History history;
  model::Manifest manifest;
};

}  // namespace berth::proptest::freebsd

namespace rc {

template <>
struct Arbitrary<berth::proptest::freebsd::FreeBsdScenario> {
  static Gen<berth::proptest::freebsd::FreeBsdScenario> arbitrary() {
    using namespace berth::proptest::freebsd;  // NOLINT
    return gen::exec([] {
      FreeBsdScenario s;
      s.history.previous = *GenJailManifest();
      s.manifest = *GenJailManifest();
      const int n = int(kJailNames.size());
      s.history.killed = *gen::container<std::vector<int>>(size_t(*gen::inRange(0, 3)), gen::inRange(0, n));
      s.history.settle = *gen::arbitrary<bool>();
      std::set<std::string> wanted;
      for (const auto& j : s.manifest.jails) wanted.insert(j.doc.metadata.name);
      for (int d : *gen::container<std::vector<int>>(size_t(*gen::inRange(0, 2)), gen::inRange(0, n)))
        if (!wanted.count(kJailNames[size_t(d)])) s.history.dying.push_back(d);
      s.history.leak_bridge = *gen::arbitrary<bool>();
      s.history.leak_epair = *gen::arbitrary<bool>();
      s.history.leak_ipfw = *gen::arbitrary<bool>();
      s.history.foreign = *gen::arbitrary<bool>();
      return s;
    });
  }
};

}  // namespace rc

namespace berth::proptest::freebsd {

inline void showValue(const FreeBsdScenario& s, std::ostream& os) {
  auto names = [](const model::Manifest& m) {
    std::string out;
    for (const auto& b : m.bridges) out += " Bridge/" + b.doc.metadata.name + (b.mtu ? "(mtu " + std::to_string(*b.mtu) + ")" : "");
    for (const auto& n : m.nats) out += " NAT/" + n.doc.metadata.name;
    for (const auto& j : m.jails) {
      out += " Jail/" + j.doc.metadata.name + (j.network.vnet ? "" : "(non-vnet)") + "[" + ToString(j.network.mode);
      for (const auto& i : j.network.interfaces) out += " " + i.name + "@" + i.bridge + (i.secure ? "+secure" : "");
      out += "]";
    }
    return out;
  };
  os << "previous:" << names(s.history.previous) << "\ncurrent:" << names(s.manifest) << "\nkilled:";
  for (int k : s.history.killed) os << " " << kJailNames[size_t(k)];
  os << (s.history.settle ? " (settled)" : " (in transit)") << "\ndying:";
  for (int d : s.history.dying) os << " " << kJailNames[size_t(d)];
  os << "\nleaks: bridge=" << s.history.leak_bridge << " epair=" << s.history.leak_epair << " ipfw=" << s.history.leak_ipfw
     << " foreign=" << s.history.foreign << "\n";
}

}  // namespace berth::proptest::freebsd
