// Shared by the fuzz targets: a fixed manifest (bridge, NAT, VMs) that observation and state inputs are planned
// against, so each input runs as far into berth as `berth plan --observed` or `apply` would take it.
#pragma once

#include <cstdint>
#include <string>

#include "model/load.h"
#include "reconciler/planner.h"

namespace berth::fuzz {

inline const model::Manifest& FixedManifest() {
  static const model::Manifest manifest = [] {
    const char* text =
        "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/24}\n---\n"
        "apiVersion: berth/v1\nkind: NAT\nmetadata: {name: out}\nspec: {source: {bridge: fcbr0}}\n---\n"
        "apiVersion: berth/v1\nkind: VM\nmetadata: {name: vm1}\n"
        "spec: {network: {bridge: fcbr0, mode: outbound, dns: [10.168.0.1]}}\n---\n"
        "apiVersion: berth/v1\nkind: VM\nmetadata: {name: vm2}\n"
        "spec: {network: {bridge: fcbr0, address: 10.168.0.20/24, mode: full}}\n";
    return model::LoadManifestText(text, "fixed.yaml").manifest;
  }();
  return manifest;
}

inline std::string Text(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

}  // namespace berth::fuzz
