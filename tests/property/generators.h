// rapidcheck generators for the property tests: random manifests (bridges, NATs, VMs in every network mode)
// built as model::Manifest directly, and random disturbances of a host that an earlier manifest was applied to
// (leaks, half-tagged links, drift, objects deleted behind berth's back, unowned look-alikes).
//
// Reproducing a failure: rapidcheck prints `RC_PARAMS="reproduce=..."`; run
//   RC_PARAMS="reproduce=<that string>" build/tests/property/berth_property_tests --gtest_filter=<the test>
// then copy the shrunk counterexample it prints into regressions_test.cc as a plain test.
#pragma once

#include <string>
#include <vector>

#include <rapidcheck.h>

#include "model/manifest.h"
#include "model/validate.h"

namespace berth::proptest {

/// Names come from small pools so an earlier manifest and the current one overlap (updates, replacements).
inline const std::vector<std::string> kBridgeNames = {"br0", "br1", "br2"};
inline const std::vector<std::string> kVmNames = {"vm0", "vm1", "vm2", "vm3", "vm4"};
inline const std::vector<std::string> kNatNames = {"nat0", "nat1"};

inline model::Document Doc(const std::string& kind, const std::string& name, int line) {
  model::Document d;
  d.kind = kind;
  d.metadata.name = name;
  d.span = {kind + ".yaml", line, 1};
  return d;
}

/// A bridge's subnet follows from its name (br0: 10.100.0.0/24, ...), so bridges never overlap each other or
/// the simulated host's 192.0.2.0/24.
inline std::string BridgeSubnetPrefix(const std::string& bridge) { return "10." + std::to_string(100 + (bridge.back() - '0')) + ".0."; }

/// Disturbances of a host after an earlier manifest was applied to it. `pick` chooses among the objects
/// present (modulo their number), so a disturbance always applies to something.
struct Disturbance {
  enum class Kind {
    kRemoveOwned,      // someone deletes one of berth's objects
    kDriftOwned,       // someone changes an attribute of one of berth's objects
    kLeakNetns,        // an owned netns no manifest wants ("berth-ghostN")
    kLeakLink,         // an owned or mark-only bridge no manifest wants
    kLookAlike,        // an unowned object with a name like berth's ("bv-vm1x", netns "vm1", a foreign table)
    kEqualLookAlike,   // an unowned object holding a name berth wants: a conflict
  };
  Kind kind = Kind::kRemoveOwned;
  int pick = 0;
  bool marked_only = false;  // kLeakLink: a crash left only the mark
};

struct Scenario {
  model::Manifest previous;  // applied to a fresh host first
  std::vector<Disturbance> disturbances;
  model::Manifest manifest;  // the run under test
};

inline rc::Gen<model::Manifest> GenManifest() {
  return rc::gen::exec([] {
    model::Manifest m;
    int line = 1;
    for (const auto& name : kBridgeNames) {
      if (!*rc::gen::arbitrary<bool>()) continue;
      model::Bridge b;
      b.doc = Doc("Bridge", name, line++);
      b.address = *model::Cidr4::Parse(BridgeSubnetPrefix(name) + "1/24");
      int mtu = *rc::gen::element(0, 1500, 9000);
      if (mtu) b.mtu = mtu;
      m.bridges.push_back(b);
    }
    for (const auto& name : kNatNames) {
      if (*rc::gen::inRange(0, 3) != 0) continue;
      model::Nat nat;
      nat.doc = Doc("NAT", name, line++);
      if (!m.bridges.empty() && *rc::gen::arbitrary<bool>())
        nat.source = (*rc::gen::elementOf(m.bridges)).doc.metadata.name;
      else
        nat.source = *model::Cidr4::Parse("10.200." + std::to_string(name.back() - '0') + ".0/24");
      if (*rc::gen::arbitrary<bool>()) nat.egress = "eth0";
      int forwards = *rc::gen::inRange(0, 3);
      for (int i = 0; i < forwards; ++i) {
        model::PortForward f;
        f.protocol = *rc::gen::arbitrary<bool>() ? model::Protocol::kTcp : model::Protocol::kUdp;
        f.port = uint16_t(8000 + 10 * (name.back() - '0') + i);
        f.to_address = *model::Ipv4::Parse("10.100.0." + std::to_string(10 + i));
        f.to_port = uint16_t(*rc::gen::element(22, 80, 443));
        nat.forwards.push_back(f);
      }
      m.nats.push_back(nat);
    }
    for (const auto& name : kVmNames) {
      if (!*rc::gen::arbitrary<bool>()) continue;
      model::Vm vm;
      vm.doc = Doc("VM", name, line++);
      auto mode = *rc::gen::element(model::NetworkMode::kDisabled, model::NetworkMode::kLoopback,
                                    model::NetworkMode::kOutbound, model::NetworkMode::kFull);
      if (m.bridges.empty() && (mode == model::NetworkMode::kOutbound || mode == model::NetworkMode::kFull))
        mode = model::NetworkMode::kLoopback;
      vm.network.mode = mode;
      if (mode == model::NetworkMode::kOutbound || mode == model::NetworkMode::kFull)
        vm.network.bridge = (*rc::gen::elementOf(m.bridges)).doc.metadata.name;
      int dns = *rc::gen::inRange(0, 3);
      for (int i = 0; i < dns; ++i) vm.network.dns.push_back(i == 0 ? "10.0.0.53" : "1.1.1.1");
      if (*rc::gen::inRange(0, 3) == 0) {
        model::Firecracker fc;
        fc.kernel = "/srv/vmlinux";
        fc.rootfs = "/srv/rootfs.ext4";
        uint32_t uid = *rc::gen::element(100u, 200u);
        fc.jailer = model::FirecrackerJailer{uid, uid, "/srv/berth"};
        vm.firecracker = fc;
      }
      m.vms.push_back(vm);
    }
    return m;
  });
}

inline rc::Gen<Disturbance> GenDisturbance() {
  return rc::gen::exec([] {
    Disturbance d;
    d.kind = *rc::gen::element(Disturbance::Kind::kRemoveOwned, Disturbance::Kind::kDriftOwned,
                               Disturbance::Kind::kLeakNetns, Disturbance::Kind::kLeakLink,
                               Disturbance::Kind::kLookAlike, Disturbance::Kind::kEqualLookAlike);
    d.pick = *rc::gen::inRange(0, 1000);
    d.marked_only = *rc::gen::arbitrary<bool>();
    return d;
  });
}

inline rc::Gen<Scenario> GenScenario() {
  return rc::gen::exec([] {
    Scenario s;
    s.previous = *GenManifest();
    s.disturbances = *rc::gen::resize(6, rc::gen::container<std::vector<Disturbance>>(GenDisturbance()));
    s.manifest = *GenManifest();
    return s;
  });
}

/// Describes a scenario for rapidcheck's counterexample output.
std::string Describe(const model::Manifest& m);
inline std::ostream& operator<<(std::ostream& os, const Scenario& s) {
  os << "previous: " << Describe(s.previous) << "\ncurrent: " << Describe(s.manifest) << "\ndisturbances:";
  for (const auto& d : s.disturbances) os << " (" << int(d.kind) << "," << d.pick << "," << d.marked_only << ")";
  return os;
}

}  // namespace berth::proptest

namespace rc {

template <>
struct Arbitrary<berth::model::Manifest> {
  static Gen<berth::model::Manifest> arbitrary() { return berth::proptest::GenManifest(); }
};
template <>
struct Arbitrary<berth::proptest::Disturbance> {
  static Gen<berth::proptest::Disturbance> arbitrary() { return berth::proptest::GenDisturbance(); }
};
template <>
struct Arbitrary<berth::proptest::Scenario> {
  static Gen<berth::proptest::Scenario> arbitrary() { return berth::proptest::GenScenario(); }
};

}  // namespace rc
