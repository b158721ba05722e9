// The groups of cross-resource rules behind ValidateManifest, and what they share: a workload's attachment to
// a bridge (a VM's network or a jail's interface), and how a diagnostic names a field of a document.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::model {

/// Ports a Linux bridge takes: 1,024 less the reserved port 0 (the kernel's BR_MAX_PORTS).
inline constexpr size_t kMaxBridgePorts = 1023;

/// A workload interface that sits on a bridge: a VM naming a bridge (a disabled or loopback one keeps its
/// address there for a switch back), or one interface of a VNET jail.
struct Attachment {
  const Document* doc;
  std::string prefix;  // field path of the interface: "spec.network" or "spec.network.interfaces[1]"
  std::string bridge;
  std::optional<Cidr4> address;
  std::optional<Mac> mac;

  std::string Field(const std::string& name) const { return prefix + "." + name; }
};

/// The attachments of valid documents, in manifest order (VMs, then jails).
std::vector<Attachment> CollectAttachments(const Manifest& manifest);

/// An error about `field` of `doc`, located at that field (or the document when the field has no span).
Diagnostic ErrorAt(const Document& doc, const std::string& field, std::string code, std::string summary);
/// "VM/vm1 (file:line:column)": how a message names another resource involved in a conflict.
std::string Describe(const Document& doc, const std::string& field);

void CheckNames(const Manifest& manifest, Diagnostics& out);       // duplicate-name, interface-name-clash
void CheckReferences(const Manifest& manifest, Diagnostics& out);  // unknown-bridge
void CheckBridges(const Manifest& manifest, Diagnostics& out);     // pools, gateways, subnet-overlap
void CheckAddresses(const Manifest& manifest, Diagnostics& out);   // workload addresses, MACs, pool sizes
/// route-via-off-link, route-overlaps-subnet, route-via-self, reserved-address (model/validate_routes.cc)
void CheckRoutes(const Manifest& manifest, Diagnostics& out);
void CheckNats(const Manifest& manifest, Diagnostics& out);        // NAT sources, egress and forwards
void CheckForwards(const Manifest& manifest, Diagnostics& out);    // forward sources, listen, overlaps
void CheckPolicies(const Manifest& manifest, Diagnostics& out);    // policy-without-interface (a warning)
/// forward-to-outbound, forward-to-nobody, duplicate-masquerade, firecracker-vcpus
void CheckContradictions(const Manifest& manifest, Diagnostics& out);

}  // namespace berth::model
