// Rules about a workload's extra routes against its subnets: each next hop is on a subnet the workload is on
// (on-link through its bridge), and no route takes over part of such a subnet from the connected route.
#include "model/validate_rules.h"

namespace berth::model {
namespace {

/// One subnet a workload is on, with the address it holds there when fixed in the manifest.
struct Link {
  Cidr4 subnet;
  std::optional<Ipv4> own;
};

void CheckRoute(const Document& doc, const std::string& field, const Route& route, const std::vector<Link>& links,
                Diagnostics& out) {
  const Link* on = nullptr;
  for (const Link& link : links) {
    const Cidr4& s = link.subnet;
    if (route.to.prefix >= s.prefix && s.Contains(route.to.address)) {
      out.push_back(ErrorAt(doc, field + ".to", "route-overlaps-subnet",
                            route.to.ToString() + " is inside " + s.ToString() +
                                ", a subnet the workload is on directly; route only to networks beyond it"));
      return;
    }
    if (!on && s.Contains(route.via)) on = &link;
  }
  const std::string via = route.via.ToString();
  if (!on) {
    std::string subnets;
    for (const Link& link : links) subnets += (subnets.empty() ? "" : ", ") + link.subnet.ToString();
    out.push_back(ErrorAt(doc, field + ".via", "route-via-off-link",
                          via + " is not on the workload's subnet (" + subnets +
                              "): a next hop must be reachable through its bridge"));
  } else if (route.via == on->subnet.network() || route.via == on->subnet.broadcast()) {
    out.push_back(ErrorAt(doc, field + ".via", "reserved-address",
                          via + " is the " + (route.via == on->subnet.network() ? "network" : "broadcast") +
                              " address of " + on->subnet.ToString()));
  } else if (on->own && *on->own == route.via) {
    out.push_back(ErrorAt(doc, field + ".via", "route-via-self",
                          via + " is the workload's own address: a next hop is another host on the subnet"));
  }
}

void CheckAll(const Manifest& manifest, const Document& doc, const std::vector<Route>& routes,
              const std::vector<Attachment>& attachments, Diagnostics& out) {
  if (!doc.valid || routes.empty()) return;
  std::vector<Link> links;
  for (const Attachment& a : attachments) {
    if (a.doc != &doc) continue;
    const Bridge* bridge = manifest.FindBridge(a.bridge);
    if (!bridge || !bridge->doc.valid) return;  // cannot tell; the bridge or reference has its own diagnostics
    links.push_back({bridge->address.Network(), a.address ? std::optional(a.address->address) : std::nullopt});
  }
  if (links.empty()) return;
  for (size_t i = 0; i < routes.size(); ++i)
    CheckRoute(doc, "spec.network.routes[" + std::to_string(i) + "]", routes[i], links, out);
}

}  // namespace

void CheckRoutes(const Manifest& manifest, Diagnostics& out) {
  const std::vector<Attachment> attachments = CollectAttachments(manifest);
  for (const Vm& vm : manifest.vms) CheckAll(manifest, vm.doc, vm.network.routes, attachments, out);
  for (const Jail& jail : manifest.jails) CheckAll(manifest, jail.doc, jail.network.routes, attachments, out);
}

}  // namespace berth::model
