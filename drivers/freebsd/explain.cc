// Actions to argv. Creation of interfaces tags them in the very command that creates them (the description is
// applied right after the clone, before anything can fail), so no failure leaves an untagged object of
// berth's behind; names are then set with "name". Jail ends are handed over at jail creation (vnet.interface=,
// as jail(8) itself does it), and to a live jail with "ifconfig IF vnet JAIL" (what jail(8) runs for it). Inside
// a jail, berth configures from the host with the host's tools attached to the jail (ifconfig -j, route -j) and
// writes files under the jail's path. The packet filter's kinds are in explain_filters.cc. See docs/freebsd.md.
#include "drivers/freebsd/explain.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "drivers/freebsd/explain_writer.h"
#include "drivers/freebsd/platform/freebsd_bandwidth.h"
#include "drivers/freebsd/platform/freebsd_names.h"
#include "drivers/freebsd/platform/freebsd_resources.h"

namespace berth::drivers::freebsd {
namespace {

using namespace reconciler::freebsd_res;  // NOLINT: the vocabulary of this file
using namespace explain;  // NOLINT: the writer and the kinds of explain_filters.cc

/// An epair made the way berth makes them: cloned and tagged in one command with its MTU (before any addm,
/// facts A1), the host end renamed, the other end renamed and tagged, then each end onto its bridge. A jail's
/// epair carries the in-jail name in both tags; its b end stays off any bridge, to be handed over by jail -c.
void AddEpair(Writer& w, const std::string& owner, const std::string& host_end, const std::string& peer,
              const std::string& mtu, const std::string& ifname, const std::string& bridge, const std::string& peer_bridge) {
  const std::string unit(kUnitPlaceholder);
  FreeBsdTag a_tag{owner, {{"end", "a"}}}, b_tag{owner, {{"end", "b"}, {"pair", host_end}}};
  if (!ifname.empty()) a_tag.fields["if"] = b_tag.fields["if"] = w.Iface(ifname);
  std::vector<std::string> mtu_args;
  if (!mtu.empty()) mtu_args = {"mtu", mtu};
  std::vector<std::string> create{"ifconfig", "epair", "create", "description", w.Tag(a_tag)};
  create.insert(create.end(), mtu_args.begin(), mtu_args.end());
  create.push_back("up");
  w.Add(create);
  w.Add({"ifconfig", "epair" + unit + "a", "name", host_end});
  std::vector<std::string> b{"ifconfig", "epair" + unit + "b", "name", peer, "description", w.Tag(b_tag)};
  b.insert(b.end(), mtu_args.begin(), mtu_args.end());
  b.push_back("up");
  w.Add(b);
  if (!peer_bridge.empty()) w.Add({"ifconfig", w.Iface(peer_bridge), "addm", peer, "up"});
  if (!bridge.empty()) w.Add({"ifconfig", w.Iface(bridge), "addm", host_end, "up"});
}

void Iface(const Action& a, Writer& w) {
  const Resource& r = a.resource;
  const std::string name = w.Iface(r.key.name);
  const std::string type = r.AttrOr(kType);
  const std::string unit(kUnitPlaceholder);
  std::vector<std::string> mtu;
  if (auto* m = r.Attr(kMtu)) mtu = {"mtu", w.Number(*m, 68, 65535, "MTU")};
  if (a.op == Op::kDelete) {
    w.Add({"ifconfig", name, "destroy"});  // for an epair: both ends, wherever the other one is (facts A1)
    return;
  }
  if (a.op == Op::kUpdate) {
    std::vector<std::string> argv{"ifconfig", name};
    if (Has(a.fields, "owner")) argv.insert(argv.end(), {"description", w.Tag({Origin(r), {}})});
    if (Has(a.fields, kUp)) argv.push_back(r.AttrOr(kUp) == kTrue ? "up" : "down");
    if (argv.size() > 2) w.Add(argv);
    return;
  }
  if (type == "bridge") {
    // "ifconfig bridge0 create up" would silently apply "up" to an existing bridge0 (facts A1): berth creates
    // a fresh bridge under the cloner's next unit, tagged in the same command, and renames it.
    std::vector<std::string> create{"ifconfig", "bridge", "create", "description", w.Tag({Origin(r), {}})};
    create.insert(create.end(), mtu.begin(), mtu.end());
    create.push_back("up");
    w.Add(create);
    w.Add({"ifconfig", "bridge" + unit, "name", name});
    return;
  }
  if (type != "epair") {
    w.Refuse(type, "interface type (berth creates bridges and epairs)");
    return;
  }
  AddEpair(w, Origin(r), name, w.Iface(w.Need(kPeer)), r.Attr(kMtu) ? w.Number(*r.Attr(kMtu), 68, 65535, "MTU") : "",
           "", r.AttrOr(kBridge), r.AttrOr(kPeerBridge));
}

void Addr(const Action& a, Writer& w) {
  const std::string dev = w.Iface(w.Need(kDev)), address = w.Need(kAddress);
  if (a.op == Op::kCreate) w.Add({"ifconfig", dev, "inet", w.Cidr(address), "alias"});
  if (a.op == Op::kDelete) w.Add({"ifconfig", dev, "inet", w.Ip(address), "-alias"});
}

/// A live jail's epairs changed in a way the platform lets happen in place (freebsd_platform.cc
/// PolicyOfChange), so the jail and its processes stay: an epair now for another bridge leaves the old bridge
/// and joins the new one (if_bridge refuses a member of another bridge, EBUSY); a new one is made and handed
/// over with "ifconfig IF vnet JAIL", which is what jail(8) itself runs for vnet.interface right after creating a
/// jail (jail.8); one no longer wanted is destroyed, both ends wherever they are (facts A1).
void ChangeEpairs(const Action& a, Writer& w, const std::string& jail, const std::vector<JailEpair>& wanted) {
  const bool epairs_changed = std::any_of(a.fields.begin(), a.fields.end(), [](const std::string& f) {
    return f.starts_with(kEpairPrefix) || f == kVnetInterface;
  });
  if (!epairs_changed) return;
  if (!a.before) {
    w.Refuse(jail, "jail for an epair change without its observed record");
    return;
  }
  const std::vector<JailEpair> had = JailEpairsOf(a.before->attrs);
  std::set<std::string> handed_over;  // jail ends observed in the jail; another one may wait on the host (a crash)
  std::istringstream in_jail(a.before->AttrOr(kVnetInterface));
  for (std::string peer; in_jail >> peer;) handed_over.insert(peer);
  auto find = [](const std::vector<JailEpair>& in, const std::string& ifname) -> const JailEpair* {
    for (const auto& e : in)
      if (e.ifname == ifname) return &e;
    return nullptr;
  };
  // Only the names berth derives for this jail's interfaces are touched, whatever a record says.
  auto derived = [&](const JailEpair& e) {
    if (e.host_end != JailEpairName(jail, e.ifname, 'a') || (!e.peer.empty() && e.peer != PeerOf(e.host_end)))
      w.Refuse(e.host_end, "epair end (not the name berth derives for the jail's interface)");
    return e.host_end;
  };
  for (const auto& old : had)
    if (!find(wanted, old.ifname)) w.Add({"ifconfig", w.Iface(derived(old)), "destroy"});
  for (const auto& e : wanted) {
    derived(e);
    const JailEpair* old = find(had, e.ifname);
    if (!old) {
      AddEpair(w, Origin(a.resource), w.Iface(e.host_end), w.Iface(e.peer), w.Number(e.mtu, 68, 65535, "MTU"),
               e.ifname, e.bridge, "");
      w.Add({"ifconfig", w.Iface(e.peer), "vnet", jail});
      continue;
    }
    if (!handed_over.count(e.peer)) w.Add({"ifconfig", w.Iface(e.peer), "vnet", jail});
    if (old->bridge == e.bridge) continue;
    if (!old->bridge.empty()) w.Add({"ifconfig", w.Iface(old->bridge), "deletem", w.Iface(e.host_end)});
    if (!e.bridge.empty()) w.Add({"ifconfig", w.Iface(e.bridge), "addm", w.Iface(e.host_end), "up"});
  }
}

void Jail(const Action& a, Writer& w) {
  const Resource& r = a.resource;
  const std::string name = w.Jail(r.key.name);
  const std::vector<JailEpair> epairs = JailEpairsOf(r.attrs);
  if (a.op == Op::kDelete) {
    // jail(8) never moves the ends back (facts A2): destroying each host end takes both ends, wherever they are.
    // A jail already dying or gone has nothing left to remove but its epairs.
    if (r.AttrOr(kState, "active") == "active") w.Add({"jail", "-r", name});
    for (const auto& e : epairs) w.Add({"ifconfig", w.Iface(e.host_end), "destroy"});
    return;
  }
  if (a.op == Op::kUpdate) {
    ChangeEpairs(a, w, name, epairs);
    std::vector<std::string> argv{"jail", "-m", "name=" + name};
    if (Has(a.fields, kHostname)) argv.push_back(std::string(kHostname) + "=" + w.Jail(w.Need(kHostname)));
    if (Has(a.fields, kIp4Addr)) argv.push_back(std::string(kIp4Addr) + "=" + w.Ip4List(w.Need(kIp4Addr)));
    if (argv.size() > 3) w.Add(argv);
    return;
  }
  for (const auto& e : epairs)
    AddEpair(w, Origin(r), w.Iface(e.host_end), w.Iface(e.peer), w.Number(e.mtu, 68, 65535, "MTU"), e.ifname,
             e.bridge, "");
  std::vector<std::string> argv{"jail", "-c", "name=" + name, "path=" + w.Path(w.Need(kPath))};
  if (auto* host = r.Attr(kHostname)) argv.push_back(std::string(kHostname) + "=" + w.Jail(*host));
  argv.push_back("persist");  // no processes: persist keeps it alive (facts A2)
  if (r.AttrOr(kVnet) == "new") {
    argv.push_back("vnet");  // handed over at creation: jail(8) runs "ifconfig IF vnet JID" itself (jail.8)
    std::istringstream peers(r.AttrOr(kVnetInterface));  // may be empty: a VNET jail with lo0 only
    // "+=" is jail.conf(5) syntax only: on the command line jail(8) splits at the first '=' and would look up
    // a parameter "vnet.interface+". Each vnet.interface= on the command line adds one (jail.8).
    for (std::string peer; peers >> peer;) argv.push_back(std::string(kVnetInterface) + "=" + w.Iface(peer));
  } else if (auto* ip4 = r.Attr(kIp4); ip4 && *ip4 == "disable") {
    argv.push_back("ip4=disable");
  } else {
    argv.push_back(std::string(kIp4Addr) + "=" + w.Ip4List(w.Need(kIp4Addr)));
  }
  argv.push_back("meta=" + w.Tag({Origin(r), {}}));
  w.Add(argv);
}

void Jif(const Action& a, Writer& w) {
  if (a.op == Op::kDelete) return;  // goes with its jail (or its epair, whose destruction takes both ends)
  const Resource& r = a.resource;
  const std::string jail = w.Jail(r.key.scope), device = w.Iface(w.Need(kDevice));
  // The host's ifconfig attached to the jail (ifconfig(8) -j, in 15.0): an empty jail has no
  // /sbin/ifconfig of its own, and a jail's root must not decide what runs here.
  const std::vector<std::string> ifconfig{"ifconfig", "-j", jail};
  auto add = [&](std::vector<std::string> rest) {
    std::vector<std::string> argv = ifconfig;
    argv.insert(argv.end(), rest.begin(), rest.end());
    w.Add(std::move(argv));
  };
  if (auto* epair = r.Attr(kEpair); epair && (a.op == Op::kCreate || Has(a.fields, kDevice)))
    add({w.Iface(PeerOf(*epair)), "name", device});
  // The address family comes right after the interface and is one per command (ifconfig.c main: af_getbyname
  // on argv[0] only; "ether" is af_link's alias of "link"): the MAC and the address are two commands.
  if (auto* mac = r.Attr(kMac)) add({device, "ether", w.Mac(*mac)});
  const std::string updown = r.AttrOr(kUp) == kTrue ? "up" : "down";
  if (auto* address = r.Attr(kAddress)) add({device, "inet", w.Cidr(*address), updown});
  else add({device, updown});
}

void Route(const Action& a, Writer& w) {
  // route(8) -j: run inside the jail's vnet with the host's binary (route.8 -j, D40377, in 15.0).
  const std::string jail = w.Jail(a.resource.key.scope);
  if (a.resource.key.name != "default") {
    // An extra route, named by its destination: route(8) "-net" with the destination in CIDR form (route.8
    // "The destination is ... a network ... with the prefix length"). A new gateway is a delete and an add
    // (PolicyOf: kReplace), so there is no change here.
    const std::string to = w.Cidr(a.resource.key.name);
    if (a.op == Op::kDelete) w.Add({"route", "-j", jail, "delete", "-net", to});
    else if (a.op == Op::kCreate) w.Add({"route", "-j", jail, "add", "-net", to, w.Ip(w.Need(kGateway))});
    return;
  }
  if (a.op == Op::kDelete) {
    w.Add({"route", "-j", jail, "delete", "default"});
    return;
  }
  w.Add({"route", "-j", jail, a.op == Op::kCreate ? "add" : "change", "default", w.Ip(w.Need(kGateway))});
}

void File(const Action& a, Writer& w) {
  if (a.op == Op::kDelete) return;  // a setting: never removed
  // Written from the host under the jail's path: an empty jail has no tee. The plan refuses when observation
  // found the path resolving elsewhere (a link in the jail's tree, see CheckHost).
  const std::string root = w.Need(kRoot);
  // A jail in the host's own tree would have berth rewrite the host's resolver configuration.
  if (root.find_first_not_of('/') == std::string::npos) w.Refuse(root, "jail path (the host's own root) for a file");
  w.Add({"tee", w.Path(root + a.resource.key.name)}, w.Need(kContent));
}

void Sysctl(const Action& a, Writer& w) {
  if (a.op == Op::kDelete) return;  // a setting: never turned off
  const std::string& name = a.resource.key.name;
  if (name != kForwardingSysctl) w.Refuse(name, "sysctl");
  w.Add({"sysctl", name + "=" + w.Number(w.Need(kValue), 0, 1, "sysctl value")});
}

}  // namespace

Result<std::vector<StepCommand>> Explain(const Action& action) {
  Writer w(action.resource);
  const std::string& kind = action.resource.key.kind;
  if (kind == kIface) Iface(action, w);
  else if (kind == kAddr) Addr(action, w);
  else if (kind == kJail) Jail(action, w);
  else if (kind == kJif) Jif(action, w);
  else if (kind == kRoute) Route(action, w);
  else if (kind == kFile) File(action, w);
  else if (kind == kPf) Pf(action, w);
  else if (kind == kIpfw) Ipfw(action, w);
  else if (kind == kPipe) Pipe(action, w);
  else if (kind == kSysctl) Sysctl(action, w);
  else return Fail(action.resource.key.ToString() + ": no FreeBSD commands for kind " + kind);
  return w.Finish();
}

Status<> ExplainPlan(reconciler::Plan& plan) {
  for (auto& step : plan.steps) {
    auto commands = Explain(Action{step.id, step.op, step.resource, step.fields, step.before});
    if (!commands) return Fail("step " + std::to_string(step.id) + ": " + commands.error().message);
    step.commands = std::move(*commands);
  }
  return Ok{};
}

}  // namespace berth::drivers::freebsd
