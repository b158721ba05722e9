// Builds model::Manifest records in code for reconciler tests, without going through YAML.
#pragma once

#include <string>

#include "model/manifest.h"

namespace berth::testing {

inline model::Document Doc(const std::string& kind, const std::string& name, int line = 1) {
  model::Document d;
  d.kind = kind;
  d.metadata.name = name;
  d.span = {"test.yaml", line, 1};
  return d;
}

inline model::Bridge MakeBridge(const std::string& name, const std::string& address, std::optional<int> mtu = {}) {
  model::Bridge b;
  b.doc = Doc("Bridge", name);
  b.address = *model::Cidr4::Parse(address);
  b.mtu = mtu;
  return b;
}

inline model::Vm MakeVm(const std::string& name, const std::string& bridge,
                        model::NetworkMode mode = model::NetworkMode::kOutbound, std::optional<std::string> address = {}) {
  model::Vm vm;
  vm.doc = Doc("VM", name);
  vm.network.bridge = bridge;
  vm.network.mode = mode;
  if (address) vm.network.address = *model::Cidr4::Parse(*address);
  return vm;
}

inline model::Nat MakeNat(const std::string& name, const std::string& bridge) {
  model::Nat nat;
  nat.doc = Doc("NAT", name);
  nat.source = bridge;
  return nat;
}

}  // namespace berth::testing
