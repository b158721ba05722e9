// Platform-aware rules: without them a Jail planned for Linux (or a VM for FreeBSD) was silently left out, and
// a FreeBSD NAT without egress validated and failed only at plan.
#include "model/validate_platform.h"

#include "model/validate_rules.h"

namespace berth::model {

Diagnostics ValidateForPlatform(const Manifest& manifest, std::string_view platform) {
  Diagnostics out;
  if (platform == "linux") {
    for (const Jail& jail : manifest.jails)
      out.push_back(ErrorAt(jail.doc, "kind", "kind-not-on-platform",
                            jail.doc.Id() + " is a FreeBSD jail, which the linux platform cannot run; plan it with "
                                            "--platform freebsd, or give it a spec.node that is a FreeBSD host"));
  } else if (platform == "freebsd") {
    for (const Vm& vm : manifest.vms)
      out.push_back(ErrorAt(vm.doc, "kind", "kind-not-on-platform",
                            vm.doc.Id() + " is a Linux microVM, which the freebsd platform cannot run; plan it with "
                                          "--platform linux, or give it a spec.node that is a Linux host"));
    for (const Nat& nat : manifest.nats)
      if (nat.doc.valid && !nat.egress)
        out.push_back(ErrorAt(nat.doc, "spec", "nat-needs-egress",
                              "pf NAT on FreeBSD translates to one interface's address: give spec.egress (the "
                              "uplink, e.g. em0)"));
    // dummynet(4) pipes are a bandwidth, a delay, a queue size and a loss rate: nothing in them counts packets
    // per second, so a packet rate is refused rather than silently not enforced (docs/bandwidth.md).
    for (const Jail& jail : manifest.jails)
      if (jail.doc.valid && jail.network.bandwidth && jail.network.bandwidth->pps_span) {
        Diagnostic d = ErrorAt(jail.doc, "spec.network.bandwidth.pps", "pps-not-on-platform",
                               "the freebsd platform cannot limit packets per second: dummynet(4) pipes, which carry "
                               "a jail's limits, have a bandwidth, delay, queue size and loss rate but no packet "
                               "rate; limit the jail in bits (egress, ingress) instead");
        d.span = *jail.network.bandwidth->pps_span;
        out.push_back(std::move(d));
      }
    // The pf rdr rules berth derives carry one port and any source so far: a forward asking for more is refused
    // rather than widened (docs/forwards.md).
    for (const Nat& nat : manifest.nats) {
      if (!nat.doc.valid) continue;
      for (size_t i = 0; i < nat.forwards.size(); ++i) {
        const PortForward& f = nat.forwards[i];
        const std::string field = "spec.forwards[" + std::to_string(i) + "]";
        const char* what = !f.from.empty() ? "from" : f.listen ? "listen" : f.localhost ? "localhost"
                           : f.is_range() ? "port" : f.protocol == Protocol::kSctp ? "protocol" : nullptr;
        if (what)
          out.push_back(ErrorAt(nat.doc, field + "." + what, "forward-not-on-platform",
                                std::string("the freebsd platform does not derive pf rdr rules with ") + what +
                                    " (a port range, sctp, from, listen or localhost) yet; see docs/forwards.md"));
      }
    }
  }
  return out;
}

}  // namespace berth::model
