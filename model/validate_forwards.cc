// Rules about port forwards one by one and against each other: sources without host bits, a listen address
// that is a real unicast address (127.0.0.1 is asked for with localhost: true), localhost only where berth
// knows the bridge to set route_localnet on, and no two forwards that could both claim one packet.
#include <map>

#include "model/validate_rules.h"

namespace berth::model {
namespace {

std::string ForwardField(size_t i, const char* field) {
  return "spec.forwards[" + std::to_string(i) + "]." + field;
}

std::string Ports(const PortForward& f) {
  return f.is_range() ? std::to_string(f.port) + "-" + std::to_string(f.last()) : std::to_string(f.port);
}

void CheckOne(const Nat& nat, size_t i, Diagnostics& out) {
  const PortForward& f = nat.forwards[i];
  for (const Cidr4& cidr : f.from)
    if (cidr.address != cidr.network())
      out.push_back(ErrorAt(nat.doc, ForwardField(i, "from"), "host-bits-set",
                            "from " + cidr.ToString() + " has host bits set; did you mean " +
                                cidr.Network().ToString() + "?"));
  if (f.listen) {
    const uint32_t v = f.listen->value;
    if (v == 0 || v == 0xffffffffu || (v >> 28) == 0xe)
      out.push_back(ErrorAt(nat.doc, ForwardField(i, "listen"), "invalid-listen",
                            "listen " + f.listen->ToString() +
                                " is not one host address; leave listen out for every local address"));
    else if ((v >> 24) == 127)
      out.push_back(ErrorAt(nat.doc, ForwardField(i, "listen"), "listen-loopback",
                            "listen " + f.listen->ToString() +
                                ": loopback clients are asked for with localhost: true (which also sets the "
                                "bridge's route_localnet and its guard; docs/forwards.md)"));
  }
  if (f.localhost && !std::holds_alternative<std::string>(nat.source))
    out.push_back(ErrorAt(nat.doc, ForwardField(i, "localhost"), "localhost-needs-bridge",
                          "localhost: true needs route_localnet on the target's bridge; give the NAT's source as "
                          "{bridge: NAME}"));
}

bool PortsOverlap(const PortForward& a, const PortForward& b) {
  return a.protocol == b.protocol && a.port <= b.last() && b.port <= a.last();
}

bool FromOverlap(const PortForward& a, const PortForward& b) {
  if (a.from.empty() || b.from.empty()) return true;
  for (const Cidr4& x : a.from)
    for (const Cidr4& y : b.from)
      if (x.Overlaps(y)) return true;
  return false;
}

// Where two forwards listen: an egress interface or any, an address or any; both given and different: apart.
bool PlaceOverlap(const Nat& na, const PortForward& a, const Nat& nb, const PortForward& b) {
  if (na.egress && nb.egress && *na.egress != *nb.egress) return false;
  if (a.listen && b.listen && *a.listen != *b.listen) return false;
  return true;
}

}  // namespace

void CheckForwards(const Manifest& manifest, Diagnostics& out) {
  struct Seen {
    const Nat* nat;
    size_t index;
  };
  std::vector<Seen> seen;
  for (const Nat& nat : manifest.nats) {
    if (!nat.doc.valid) continue;
    for (size_t i = 0; i < nat.forwards.size(); ++i) {
      const PortForward& f = nat.forwards[i];
      CheckOne(nat, i, out);
      for (const Seen& s : seen) {
        const PortForward& g = s.nat->forwards[s.index];
        if (!PortsOverlap(f, g) || !FromOverlap(f, g) || !PlaceOverlap(nat, f, *s.nat, g)) continue;
        out.push_back(ErrorAt(nat.doc, ForwardField(i, "port"), "duplicate-forward",
                              std::string(ToString(f.protocol)) + " port " + Ports(f) + " is already forwarded by " +
                                  Describe(s.nat->doc, ForwardField(s.index, "port")) +
                                  " (overlapping ports, sources and listen addresses)"));
        break;
      }
      seen.push_back({&nat, i});
    }
  }
}

}  // namespace berth::model
