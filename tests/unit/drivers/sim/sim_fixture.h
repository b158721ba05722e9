// Helpers for tests against the simulated Linux host: resources in the Linux vocabulary and one-action applies.
#pragma once

#include <gtest/gtest.h>

#include "drivers/sim/sim_host.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::sim::testing {

using reconciler::Action;
using reconciler::Attrs;
using reconciler::DriverError;
using reconciler::Op;
using reconciler::Ownership;
using reconciler::Resource;
using reconciler::ResourceKey;

inline Resource R(std::string kind, std::string scope, std::string name, Attrs attrs = {},
                  std::string origin = "VM/vm1") {
  Resource r;
  r.key = {std::move(kind), std::move(scope), std::move(name)};
  r.attrs = std::move(attrs);
  r.owner = origin;
  r.provenance = reconciler::Provenance(std::move(origin), {});
  return r;
}

inline Resource Netns(const std::string& name) { return R("netns", "", name); }
inline Resource Bridge(const std::string& name) { return R("link", "", name, {{"type", "bridge"}, {"up", "true"}}, "Bridge/" + name); }
inline Resource Veth(const std::string& name, const std::string& peer_netns, const std::string& master = "") {
  Attrs attrs{{"type", "veth"}, {"up", "true"}, {"peer", "eth0"}, {"peer_netns", peer_netns}, {"peer_up", "true"}};
  if (!master.empty()) attrs["master"] = master;
  return R("link", "", name, attrs);
}
inline Resource Tap(const std::string& netns) { return R("link", netns, "tap0", {{"type", "tap"}, {"up", "true"}}); }
inline Resource Addr(const std::string& scope, const std::string& dev, const std::string& cidr) {
  return R("addr", scope, dev + "/" + cidr, {{"dev", dev}, {"address", cidr}});
}
inline Resource Tc(const std::string& scope, const std::string& dev, const std::string& to) {
  return R("tc", scope, dev, {{"redirect_to", to}});
}

/// Applies one action; returns its error.
inline std::optional<DriverError> Do(SimHost& host, Op op, const Resource& r, std::vector<std::string> fields = {}) {
  reconciler::ApplyRequest request;
  request.actions.push_back(Action{7, op, r, std::move(fields)});
  auto response = host.Apply(request);
  EXPECT_EQ(response.results.size(), 1u);
  EXPECT_EQ(response.results[0].step_id, 7);
  return response.results[0].error;
}

inline reconciler::ObservedState See(SimHost& host) {
  auto observed = host.Observe({});
  EXPECT_TRUE(observed.ok());
  return observed.ok() ? *observed : reconciler::ObservedState{};
}

/// The observed record of a key, or nullptr.
inline const Resource* Find(const reconciler::ObservedState& o, const ResourceKey& key) { return o.Find(key); }
/// A copy: an observation made in the same expression (`Find(See(host), key)`) is gone by the next statement.
inline std::optional<Resource> Find(reconciler::ObservedState&& o, const ResourceKey& key) {
  const Resource* r = o.Find(key);
  return r ? std::optional<Resource>(*r) : std::nullopt;
}

inline int ErrnoOf(const std::optional<DriverError>& e) { return e ? e->sys_errno : 0; }

}  // namespace berth::drivers::sim::testing
