// ValidateManifest and the rules about names and references; address rules are in validate_addresses.cc,
// NAT rules in validate_nat.cc.
#include "model/validate.h"

#include <map>

#include "model/naming.h"
#include "model/suggest.h"
#include "model/validate_rules.h"

namespace berth::model {
namespace {

template <typename T>
void CheckUniqueNames(const std::vector<T>& records, Diagnostics& out) {
  std::map<std::string, const Document*> first;
  for (const T& record : records) {
    const Document& doc = record.doc;
    if (doc.metadata.name.empty()) continue;
    auto [it, inserted] = first.emplace(doc.metadata.name, &doc);
    if (!inserted)
      out.push_back(ErrorAt(doc, "metadata.name", "duplicate-name",
                            doc.kind + " \"" + doc.metadata.name + "\" is defined twice (first as " +
                                Describe(*it->second, "metadata.name") + ")"));
  }
}

void CheckJailInterfaceNames(const Jail& jail, Diagnostics& out) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < jail.network.interfaces.size(); ++i) {
    const std::string& name = jail.network.interfaces[i].name;
    auto [it, inserted] = first.emplace(name, i);
    if (!inserted)
      out.push_back(ErrorAt(
          jail.doc, "spec.network.interfaces[" + std::to_string(i) + "].name", "duplicate-name",
          "interface \"" + name + "\" is given twice (first as interfaces[" + std::to_string(it->second) + "])"));
  }
}

// Bridges and VM host veths share the host's one interface namespace.
void CheckInterfaceClashes(const Manifest& manifest, Diagnostics& out) {
  std::map<std::string, const Vm*> veths;
  for (const Vm& vm : manifest.vms)
    if (UsesBridge(vm.network.mode)) veths.emplace(VmHostVethName(vm.doc.metadata.name), &vm);
  for (const Bridge& bridge : manifest.bridges) {
    auto it = veths.find(bridge.doc.metadata.name);
    if (it != veths.end())
      out.push_back(ErrorAt(bridge.doc, "metadata.name", "interface-name-clash",
                            "bridge name \"" + it->first + "\" is also the host veth name berth derives for " +
                                Describe(it->second->doc, "metadata.name")));
  }
}

std::vector<std::string_view> BridgeNames(const Manifest& manifest) {
  std::vector<std::string_view> names;
  for (const Bridge& bridge : manifest.bridges) names.push_back(bridge.doc.metadata.name);
  return names;
}

void ReportUnknownBridge(const Manifest& manifest, const Document& doc, const std::string& field,
                         const std::string& name, Diagnostics& out) {
  out.push_back(ErrorAt(doc, field, "unknown-bridge",
                        "no Bridge named \"" + name + "\"" + DidYouMean(name, BridgeNames(manifest))));
}

}  // namespace

Diagnostic ErrorAt(const Document& doc, const std::string& field, std::string code, std::string summary) {
  Diagnostic d;
  d.code = std::move(code);
  d.field = field;
  d.summary = std::move(summary);
  d.span = doc.SpanOf(field);
  return d;
}

std::string Describe(const Document& doc, const std::string& field) {
  return doc.Id() + " (" + doc.SpanOf(field).ToString() + ")";
}

std::vector<Attachment> CollectAttachments(const Manifest& manifest) {
  std::vector<Attachment> out;
  for (const Vm& vm : manifest.vms) {
    // A disabled or loopback VM that names a bridge keeps its address and MAC there for a switch back.
    if (!vm.doc.valid || vm.network.bridge.empty()) continue;
    out.push_back({&vm.doc, "spec.network", vm.network.bridge, vm.network.address, vm.network.mac});
  }
  for (const Jail& jail : manifest.jails) {
    if (!jail.doc.valid || !jail.network.vnet) continue;
    for (size_t i = 0; i < jail.network.interfaces.size(); ++i) {
      const JailInterface& ifc = jail.network.interfaces[i];
      out.push_back(
          {&jail.doc, "spec.network.interfaces[" + std::to_string(i) + "]", ifc.bridge, ifc.address, ifc.mac});
    }
  }
  return out;
}

void CheckNames(const Manifest& manifest, Diagnostics& out) {
  CheckUniqueNames(manifest.bridges, out);
  CheckUniqueNames(manifest.nats, out);
  CheckUniqueNames(manifest.vms, out);
  CheckUniqueNames(manifest.jails, out);
  for (const Jail& jail : manifest.jails)
    if (jail.doc.valid) CheckJailInterfaceNames(jail, out);
  CheckInterfaceClashes(manifest, out);
}

void CheckReferences(const Manifest& manifest, Diagnostics& out) {
  for (const Attachment& a : CollectAttachments(manifest))
    if (!manifest.FindBridge(a.bridge)) ReportUnknownBridge(manifest, *a.doc, a.Field("bridge"), a.bridge, out);
  for (const Nat& nat : manifest.nats) {
    const auto* bridge = std::get_if<std::string>(&nat.source);
    if (nat.doc.valid && bridge && !manifest.FindBridge(*bridge))
      ReportUnknownBridge(manifest, nat.doc, "spec.source.bridge", *bridge, out);
  }
}

Diagnostics ValidateManifest(const Manifest& manifest) {
  Diagnostics out;
  CheckNames(manifest, out);
  CheckReferences(manifest, out);
  CheckBridges(manifest, out);
  CheckAddresses(manifest, out);
  CheckRoutes(manifest, out);
  CheckNats(manifest, out);
  CheckForwards(manifest, out);
  CheckPolicies(manifest, out);
  CheckContradictions(manifest, out);
  return out;
}

}  // namespace berth::model
