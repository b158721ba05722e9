// Rules against manifests that validate field by field but promise two incompatible things: a port forward
// into an outbound-mode VM (whose policy promises to drop new inbound connections), a forward to an address no
// workload on the NAT's range has (once any workload is there), two NATs masquerading one range out of one
// egress, and a Firecracker vcpu count it refuses.
#include "model/validate_rules.h"

namespace berth::model {
namespace {

// The range a NAT translates: its CIDR, or its bridge's subnet. Nullopt when unknown (reported elsewhere).
std::optional<Cidr4> RangeOf(const Manifest& manifest, const Nat& nat) {
  if (const auto* cidr = std::get_if<Cidr4>(&nat.source)) return cidr->Network();
  const Bridge* bridge = manifest.FindBridge(std::get<std::string>(nat.source));
  if (!bridge || !bridge->doc.valid) return std::nullopt;
  return bridge->address.Network();
}

// A workload on a bridge whose address is allocated later may get `to` from the pool: the forward cannot be
// judged here.
bool PoolMayHold(const Manifest& manifest, const std::vector<Attachment>& attachments, Ipv4 to) {
  for (const Attachment& a : attachments) {
    if (a.address) continue;
    const Bridge* bridge = manifest.FindBridge(a.bridge);
    if (!bridge || !bridge->doc.valid) continue;
    const Cidr4 pool = bridge->pool ? *bridge->pool : bridge->address.Network();
    if (pool.Contains(to)) return true;
  }
  return false;
}

// A VM's mode. Jails have no network policy yet, so their outbound mode drops nothing a forward could open.
std::optional<NetworkMode> VmModeOf(const Manifest& manifest, const Document* doc) {
  for (const Vm& vm : manifest.vms)
    if (&vm.doc == doc) return vm.network.mode;
  return std::nullopt;
}

// Whether any workload sits on a bridge inside `range`: until one does, the NAT's forwards wait for their
// workloads (a staged rollout), and a forward to no one is not yet a mistake.
bool WorkloadsIn(const Manifest& manifest, const std::vector<Attachment>& attachments, const Cidr4& range) {
  for (const Attachment& a : attachments) {
    const Bridge* bridge = manifest.FindBridge(a.bridge);
    if (bridge && bridge->doc.valid && range.Contains(bridge->address.address)) return true;
  }
  return false;
}

void CheckForwardTargets(const Manifest& manifest, const Nat& nat, const std::vector<Attachment>& attachments,
                         Diagnostics& out) {
  const std::optional<Cidr4> range = RangeOf(manifest, nat);
  const bool populated = range && WorkloadsIn(manifest, attachments, *range);
  for (size_t i = 0; i < nat.forwards.size(); ++i) {
    const Ipv4 to = nat.forwards[i].to_address;
    const std::string field = "spec.forwards[" + std::to_string(i) + "].to";
    const Attachment* target = nullptr;
    for (const Attachment& a : attachments)
      if (a.address && a.address->address == to) target = &a;
    if (!target) {
      // Outside the source range is reported by CheckNats (forward-target-outside-source).
      if (populated && range->Contains(to) && !PoolMayHold(manifest, attachments, to))
        out.push_back(ErrorAt(nat.doc, field, "forward-to-nobody",
                              to.ToString() + " is the address of no VM or jail in the manifests; give the target "
                                              "workload this fixed address, or forward to one it has"));
      continue;
    }
    if (VmModeOf(manifest, target->doc) == NetworkMode::kOutbound)
      out.push_back(ErrorAt(nat.doc, field, "forward-to-outbound",
                            "forwards to " + target->doc->Id() + ", whose mode outbound drops new inbound "
                                "connections; set its spec.network.mode to full to receive forwarded traffic (" +
                                Describe(*target->doc, target->Field("address")) + ")"));
  }
}

// Masquerade exactly once: two NATs translating one range out of the same egress (or both out of any) would
// each add a masquerade rule for it.
void CheckDuplicateMasquerade(const Manifest& manifest, Diagnostics& out) {
  for (size_t i = 0; i < manifest.nats.size(); ++i) {
    const Nat& nat = manifest.nats[i];
    if (!nat.doc.valid) continue;
    auto range = RangeOf(manifest, nat);
    if (!range) continue;
    for (size_t j = 0; j < i; ++j) {
      const Nat& earlier = manifest.nats[j];
      if (!earlier.doc.valid || RangeOf(manifest, earlier) != range) continue;
      if (nat.egress && earlier.egress && *nat.egress != *earlier.egress) continue;  // two uplinks
      out.push_back(ErrorAt(nat.doc, "spec.source", "duplicate-masquerade",
                            range->ToString() + " is already masqueraded by " + Describe(earlier.doc, "spec.source") +
                                "; merge the two NATs (their forwards can share one document)"));
      break;
    }
  }
}

}  // namespace

void CheckContradictions(const Manifest& manifest, Diagnostics& out) {
  const std::vector<Attachment> attachments = CollectAttachments(manifest);
  for (const Nat& nat : manifest.nats)
    if (nat.doc.valid) CheckForwardTargets(manifest, nat, attachments, out);
  CheckDuplicateMasquerade(manifest, out);
  for (const Vm& vm : manifest.vms) {
    if (!vm.doc.valid || !vm.firecracker) continue;
    const int vcpus = vm.firecracker->vcpus;
    if (vcpus != 1 && vcpus % 2 != 0)
      out.push_back(ErrorAt(vm.doc, "spec.firecracker.vcpus", "firecracker-vcpus",
                            "Firecracker takes 1 or an even number of vCPUs, not " + std::to_string(vcpus) +
                                " (use " + std::to_string(vcpus - 1) + " or " + std::to_string(vcpus + 1) + ")"));
  }
}

}  // namespace berth::model
