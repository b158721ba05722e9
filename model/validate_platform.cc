// Platform-aware rules: without them a Jail planned for Linux (or a VM for FreeBSD) was silently left out, a
// FreeBSD NAT without egress validated and failed only at plan, and a forward pf cannot carry was dropped.
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
    // What pf on FreeBSD cannot do for a forward is refused rather than silently dropped (docs/forwards.md):
    for (const Nat& nat : manifest.nats) {
      if (!nat.doc.valid) continue;
      for (size_t i = 0; i < nat.forwards.size(); ++i) {
        const PortForward& f = nat.forwards[i];
        const std::string field = "spec.forwards[" + std::to_string(i) + "]";
        if (f.localhost)
          out.push_back(ErrorAt(nat.doc, field + ".localhost", "forward-not-on-platform",
                                "pf cannot forward host-local connections on FreeBSD: \"Translation rules apply only "
                                "to packets that pass through the specified interface\" and \"Connections to the "
                                "address of the external interface from local hosts will not be redirected\" "
                                "(pf.conf(5), TRANSLATION); see docs/forwards.md"));
        if (f.protocol == Protocol::kSctp)
          out.push_back(ErrorAt(nat.doc, field + ".protocol", "forward-not-on-platform",
                                "pfctl refuses a port in an sctp rdr rule (\"dst port only applies to tcp/udp\", "
                                "sbin/pfctl/parse.y rdr_consistent), and without one pf would redirect every sctp "
                                "association; see docs/forwards.md"));
      }
    }
  }
  return out;
}

}  // namespace berth::model
