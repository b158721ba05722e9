// Rules about NAT documents: where the source range comes from, where traffic leaves, and where inbound
// forwards may deliver.
#include "model/validate_rules.h"

namespace berth::model {
namespace {

// The source range of a NAT: its CIDR, or the subnet of its bridge. Nullopt when unknown or malformed (and
// then reported elsewhere or here).
std::optional<Cidr4> SourceRange(const Manifest& manifest, const Nat& nat, Diagnostics& out) {
  if (const auto* cidr = std::get_if<Cidr4>(&nat.source)) {
    if (cidr->prefix == 0) {
      // berth's masquerade excludes traffic to the source range itself, so /0 leaves nothing to translate.
      out.push_back(ErrorAt(nat.doc, "spec.source", "source-is-everything",
                            "source " + cidr->ToString() +
                                " covers every address, so the masquerade rule (source range to elsewhere) could "
                                "never match; name a bridge or the workloads' own range"));
      return std::nullopt;
    }
    if (cidr->address == cidr->network()) return *cidr;
    out.push_back(
        ErrorAt(nat.doc, "spec.source", "host-bits-set",
                "source " + cidr->ToString() + " has host bits set; did you mean " + cidr->Network().ToString() + "?"));
    return std::nullopt;
  }
  const Bridge* bridge = manifest.FindBridge(std::get<std::string>(nat.source));
  if (!bridge || !bridge->doc.valid) return std::nullopt;
  return bridge->address.Network();
}

// Traffic from a bridge never leaves through that bridge: such an egress is surely meant to be the uplink.
void CheckEgress(const Nat& nat, Diagnostics& out) {
  const auto* bridge = std::get_if<std::string>(&nat.source);
  if (!bridge || !nat.egress || *nat.egress != *bridge) return;
  out.push_back(ErrorAt(nat.doc, "spec.egress", "egress-is-source",
                        "egress \"" + *bridge +
                            "\" is the source bridge itself; name the uplink, or leave egress "
                            "out for any interface but the bridge"));
}

}  // namespace

void CheckNats(const Manifest& manifest, Diagnostics& out) {
  for (const Nat& nat : manifest.nats) {
    if (!nat.doc.valid) continue;
    CheckEgress(nat, out);
    auto range = SourceRange(manifest, nat, out);
    for (size_t i = 0; i < nat.forwards.size(); ++i) {
      const PortForward& forward = nat.forwards[i];
      const std::string prefix = "spec.forwards[" + std::to_string(i) + "]";
      if (range && !range->Contains(forward.to_address))
        out.push_back(ErrorAt(nat.doc, prefix + ".to", "forward-target-outside-source",
                              forward.to_address.ToString() + " is outside the NAT's source range " +
                                  range->ToString() + ", so replies would not be translated back"));
    }
  }
}

}  // namespace berth::model
