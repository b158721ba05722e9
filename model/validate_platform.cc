// Platform-aware rules: without them a Jail planned for Linux (or a VM for FreeBSD) was silently left out, a
// FreeBSD NAT without egress validated and failed only at plan, and a forward pf cannot carry was dropped.
#include "model/validate_platform.h"

#include <algorithm>
#include <array>

#include "model/validate_rules.h"

namespace berth::model {

bool IsPfKeyword(std::string_view word) {
  // The words of sbin/pfctl/parse.y's keyword table (sorted), FreeBSD 14.
  static constexpr std::array<std::string_view, 134> kWords = {
      "all", "allow-opts", "altq", "anchor", "antispoof", "any", "bandwidth", "binat", "binat-anchor", "bitmask",
      "block", "block-policy", "bridge-to", "buckets", "cbq", "code", "codelq", "debug", "divert-reply",
      "divert-to", "dnpipe", "dnqueue", "drop", "dup-to", "ether", "fail-policy", "fairq", "fastroute", "file",
      "fingerprints", "flags", "floating", "flush", "for", "fragment", "from", "global", "group", "hfsc", "hogs",
      "hostid", "icmp-type", "icmp6-type", "if-bound", "in", "include", "inet", "inet6", "interval", "keep",
      "keepcounters", "l3", "label", "limit", "linkshare", "load", "log", "loginterface", "map-e-portset", "match",
      "max", "max-mss", "max-src-conn", "max-src-conn-rate", "max-src-nodes", "max-src-states", "min-ttl",
      "modulate", "nat", "nat-anchor", "no", "no-df", "no-route", "no-sync", "on", "optimization", "os", "out",
      "overload", "pass", "port", "prio", "priority", "priq", "probability", "proto", "qlimit", "queue", "quick",
      "random", "random-id", "rdr", "rdr-anchor", "realtime", "reassemble", "reply-to", "require-order", "return",
      "return-icmp", "return-icmp6", "return-rst", "ridentifier", "round-robin", "route", "route-to", "rtable",
      "rule", "ruleset-optimization", "scrub", "set", "set-tos", "skip", "sloppy", "source-hash", "source-track",
      "state", "state-defaults", "state-policy", "static-port", "sticky-address", "syncookies", "synproxy",
      "table", "tag", "tagged", "target", "tbrsize", "timeout", "to", "tos", "ttl", "upperlimit", "urpf-failed",
      "user"};
  return std::binary_search(kWords.begin(), kWords.end(), word);
}

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
    // Names pf reads as keywords cannot stand for an interface in its rules (the egress in every NAT rule, the
    // source bridge in the reflection rules of forwards).
    for (const Nat& nat : manifest.nats) {
      if (!nat.doc.valid) continue;
      if (nat.egress && IsPfKeyword(*nat.egress))
        out.push_back(ErrorAt(nat.doc, "spec.egress", "pf-keyword-interface",
                              "pfctl reads \"" + *nat.egress + "\" as a keyword, not an interface name "
                              "(sbin/pfctl/parse.y lookup): rename the interface"));
      const std::string* bridge = std::get_if<std::string>(&nat.source);
      if (bridge && !nat.forwards.empty() && IsPfKeyword(*bridge))
        out.push_back(ErrorAt(nat.doc, "spec.source", "pf-keyword-interface",
                              "pfctl reads \"" + *bridge + "\" as a keyword, not an interface name "
                              "(sbin/pfctl/parse.y lookup), and the forwards' reflection rules name the bridge: "
                              "rename the bridge"));
    }
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
