// A VNET jail's routes besides its default one on the simulated host: route(8) add|delete -net CIDR [GATEWAY]
// and netstat(1) -j JAIL -rn -f inet. Messages follow route.c's (rtmsg: "add net X: gateway Y fail" after the
// routing socket's errno) as for the default route in sim_jail.cc, [UNCONFIRMED] like those.
#include <sstream>

#include "drivers/freebsd/sim/sim_machine.h"

namespace berth::drivers::freebsd::sim {
namespace {

/// Drops the routes whose gateway left with its interface's address, as the kernel does.
void Prune(const SimState& s, SimJail& jail) {
  for (auto it = jail.routes.begin(); it != jail.routes.end();)
    it = Reaches(s, jail.jid, it->second, nullptr) ? std::next(it) : jail.routes.erase(it);
}

}  // namespace

CommandResult Machine::RouteNet(SimJail* jail, const Args& args) {
  // route.c: "-net" forces a network destination; the destination takes "/len" (route.8 "net/bits").
  if (!jail->vnet) return Err("route: writing to routing socket: Operation not permitted");
  Prune(s_, *jail);
  const std::string& verb = args[0];
  if (args.size() < 3) return Err("route: bad arguments");
  auto to = model::Cidr4::Parse(args[2]);
  if (!to) return Err("route: bad address: " + args[2]);
  const std::string net = to->Network().ToString();
  if (verb == "delete" && args.size() == 3) {
    if (!jail->routes.erase(net)) return Err("route: writing to routing socket: No such process\ndelete net " + args[2] + " fail");
    return Ok("delete net " + args[2] + "\n");
  }
  if (verb != "add" || args.size() != 4) return Err("route: bad arguments");
  const std::string& gw = args[3];
  if (jail->routes.count(net))
    return Err("route: writing to routing socket: File exists\nadd net " + args[2] + ": gateway " + gw + " fail");
  if (!Reaches(s_, jail->jid, gw, nullptr))
    return Err("route: writing to routing socket: Network is unreachable\nadd net " + args[2] + ": gateway " + gw + " fail");
  jail->routes[net] = gw;
  return Ok("add net " + args[2] + ": gateway " + gw + "\n");
}

CommandResult Machine::Netstat(const Args& a) {
  // netstat.1: `netstat -r [-j jail] [-46nW] [-F fibnum] [-f address_family]`; berth asks for exactly one shape.
  if (a.size() != 6 || a[1] != "-j" || a[3] != "-rn" || a[4] != "-f" || a[5] != "inet")
    return Err("sim: netstat " + (a.size() > 1 ? a[1] : "") + ": only netstat -j JAIL -rn -f inet is simulated");
  SimJail* jail = FindJail(a[2], false);
  if (!jail) return Err("netstat: jail \"" + a[2] + "\" not found");
  std::ostringstream out;
  out << "Routing tables\n\nInternet:\nDestination        Gateway            Flags         Netif Expire\n";
  auto row = [&out](const std::string& dst, const std::string& gw, const std::string& flags, const std::string& nif) {
    out << dst << std::string(dst.size() < 19 ? 19 - dst.size() : 1, ' ') << gw
        << std::string(gw.size() < 19 ? 19 - gw.size() : 1, ' ') << flags
        << std::string(flags.size() < 14 ? 14 - flags.size() : 1, ' ') << nif << "\n";
  };
  const int vnet = jail->vnet ? jail->jid : kHostVnet;
  std::string via;
  if (jail->gateway && Reaches(s_, vnet, *jail->gateway, &via)) row("default", *jail->gateway, "UGS", via);
  if (jail->vnet) {
    Prune(s_, *jail);
    for (const auto& [net, gw] : jail->routes) {
      Reaches(s_, vnet, gw, &via);
      const bool host = net.ends_with("/32");
      row(host ? net.substr(0, net.size() - 3) : net, gw, host ? "UGHS" : "UGS", via);
    }
  }
  for (const auto& [id, i] : s_.interfaces)
    if (i.vnet == vnet && i.up)
      for (const auto& c : i.inet)
        if (c.prefix < 32) row(c.Network().ToString(), "link#" + std::to_string(id), "U", i.name);
  return Ok(out.str());
}

}  // namespace berth::drivers::freebsd::sim
