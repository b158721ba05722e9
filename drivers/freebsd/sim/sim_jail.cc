// jail(8), jls(8), jexec(8) and, inside jails, route(8), cat and tee on the simulated host: jail creation with
// vnet.interface handed over at creation, removal with the asynchronous return of a vnet's interfaces, the
// DYING state, and jls's libxo JSON in both of its shapes.
#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "drivers/freebsd/sim/sim_machine.h"

namespace berth::drivers::freebsd::sim {
namespace {

constexpr const char* kVnetInterfaceParam = "vnet.interface";

std::string Quoted(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

bool Reaches(const SimState& s, int vnet, const std::string& gateway, std::string* via) {
  auto gw = model::Ipv4::Parse(gateway);
  if (!gw) return false;
  for (const auto& [id, i] : s.interfaces)
    if (i.vnet == vnet && i.up)
      for (const auto& c : i.inet)
        if (c.Contains(*gw) && c.prefix < 32) {
          if (via) *via = i.name;
          return true;
        }
  return false;
}

SimJail* Machine::FindJail(const std::string& key, bool include_dying) {
  for (auto& [jid, j] : s_.jails)
    if ((j.name == key || std::to_string(jid) == key) && (include_dying || !j.dying)) return &j;
  return nullptr;
}

void Machine::RemoveJail(SimJail& jail) {
  const int jid = jail.jid;
  if (auto hold = s_.dying_on_remove.find(jail.name); hold != s_.dying_on_remove.end() && hold->second > 0) {
    // A jail stuck dying keeps its interfaces (facts A2 [3p]); it goes when its last reference does.
    jail.dying = true;
    jail.dying_ticks = hold->second;
    s_.dying_on_remove.erase(hold);
    return;
  }
  // The vnet is torn down asynchronously (facts A2: prison_deref -> taskqueue -> vnet_destroy): interfaces
  // cloned inside the jail are destroyed, the others come home later, under their current names.
  SimLimbo limbo{jid, s_.return_ticks, {}};
  std::vector<int> cloned_inside;
  for (const auto& [id, i] : s_.interfaces)
    if (i.vnet == jid) (i.home == jid ? cloned_inside : limbo.interfaces).push_back(id);
  for (int id : cloned_inside) Destroy(id);
  s_.jails.erase(jid);
  if (!limbo.interfaces.empty()) s_.limbo.push_back(std::move(limbo));
  if (s_.return_ticks <= 0) Tick();
}

void Machine::Tick() {
  for (auto& limbo : s_.limbo) {
    if (--limbo.ticks > 0) continue;
    for (int id : limbo.interfaces)
      if (s_.interfaces.count(id)) Move(id, s_.interfaces[id].home);  // no check for a name clash (facts A2)
    limbo.interfaces.clear();
  }
  std::erase_if(s_.limbo, [](const SimLimbo& l) { return l.interfaces.empty(); });
  std::vector<int> done;
  for (auto& [jid, j] : s_.jails)
    if (j.dying && --j.dying_ticks <= 0) done.push_back(jid);
  for (int jid : done) {
    s_.jails[jid].dying = false;
    RemoveJail(s_.jails[jid]);
  }
}

void Machine::Settle() {
  for (int round = 0; round < 1000 && (!s_.limbo.empty() || std::any_of(s_.jails.begin(), s_.jails.end(),
                                                                        [](const auto& j) { return j.second.dying; }));
       ++round)
    Tick();
}

CommandResult Machine::Jail(const Args& a) {
  if (a.size() < 3) return Err("usage: jail [-dhilqv] [-J jid_file] [-u username] [-U username] -[cmr] param=value ...");
  const std::string mode = a[1];
  if (mode == "-r") {
    SimJail* j = FindJail(a[2], false);  // dying jails are not found (jail.8: -r removes live jails)
    if (!j) return Err("jail: \"" + a[2] + "\" not found");  // facts A2
    std::string gone = j->name;
    RemoveJail(*j);
    return Ok(gone + ": removed\n");
  }
  // jail(8) without a configuration file: each argument is "name=value" split at the first '=' (or a bare
  // boolean "name" / "noname"), and the name must be a parameter jail(8) or the kernel knows (jail.c main,
  // config.c add_param; libjail jailparam_init: "unknown parameter"). "+=" exists only in jail.conf(5): on the
  // command line "vnet.interface+=X" names the parameter "vnet.interface+". Each vnet.interface= adds one.
  std::map<std::string, std::string> params;
  std::vector<std::string> handover;
  bool persist = false, vnet = false;
  std::string label;  // how jail(8) names the jail in its messages
  for (size_t k = 2; k < a.size(); ++k)
    if (a[k].starts_with("name=")) label = a[k].substr(5);
  for (size_t k = 2; k < a.size(); ++k) {
    const std::string& p = a[k];
    size_t eq = p.find('=');
    std::string key = p.substr(0, eq), value = eq == std::string::npos ? "" : p.substr(eq + 1);
    if (key == "persist") persist = true;
    else if (key == "nopersist") persist = false;
    else if (key == "vnet") vnet = eq == std::string::npos || value == "new";
    else if (key == kVnetInterfaceParam) handover.push_back(value);
    else if ((key == "meta" && s_.jail_meta) || key == "name" || key == "path" || key == "host.hostname" ||
             key == "ip4.addr" || key == "ip4")
      params[key] = value;
    else return Err("jail: " + (label.empty() ? std::string("-") : label) + ": unknown parameter: " + key);
  }
  const std::string name = params["name"];
  if (mode == "-m") {
    SimJail* j = FindJail(name, false);
    if (!j) return Err("jail: \"" + name + "\" not found");  // facts A2
    if (params.count("host.hostname")) j->hostname = params["host.hostname"];
    if (params.count("meta")) j->meta = params["meta"];
    if (params.count("ip4.addr")) {
      j->ip4_addrs.clear();
      std::istringstream in(params["ip4.addr"]);
      for (std::string x; std::getline(in, x, ',');) j->ip4_addrs.push_back(x);
    }
    return Ok();
  }
  if (mode != "-c") return Err("jail: unknown flag " + mode);
  if (name.find('.') != std::string::npos)  // a dot names a child jail (jail.8): its parent must exist
    return Err("jail: jail \"" + name.substr(0, name.find('.')) + "\" not found");
  // Only a live jail holds its name: a create skips a dying jail of that name (kern_jail.c kern_jail_set looks
  // names up among live prisons unless JAIL_DYING/allow.dying is given), so a new jail can be made meanwhile.
  if (FindJail(name, false)) return Err("jail: \"" + name + "\" already exists");  // facts A2
  for (const auto& x : handover) {
    // jail(8) runs "ifconfig X vnet <jid>" right after creating the jail (facts A2, command.c); when that fails
    // it removes the jail again.
    if (!vnet) return Err("ifconfig: SIOCSIFVNET: File exists\njail: " + name + ": /sbin/ifconfig " + x + " vnet " +
                          name + ": failed");
    if (!Find(kHostVnet, x))
      return Err("ifconfig: interface " + x + " does not exist\njail: " + name + ": /sbin/ifconfig " + x + " vnet " +
                 name + ": failed");
  }
  SimJail j;
  j.jid = s_.next_jid++;
  j.name = name.empty() ? std::to_string(j.jid) : name;
  j.path = params.count("path") ? params["path"] : "/";
  j.hostname = params["host.hostname"];
  j.meta = params["meta"];
  j.vnet = vnet;
  j.persist = persist;
  if (params.count("ip4")) j.ip4 = params["ip4"];
  std::istringstream in(params["ip4.addr"]);
  for (std::string entry; std::getline(in, entry, ',');) {
    // "em0|10.1.1.10/24": jail(8) adds the alias before creating the jail; the kernel gets the address only
    // (facts A4). No "/len" means a /32 alias.
    if (size_t bar = entry.find('|'); bar != std::string::npos) {
      std::string itf = entry.substr(0, bar), addr = entry.substr(bar + 1);
      if (addr.find('/') == std::string::npos) addr += "/32";
      auto r = IfconfigIn(kHostVnet, {itf, "inet", addr, "alias"}, false);
      if (!r.ok()) return r;
      entry = addr.substr(0, addr.find('/'));
    }
    j.ip4_addrs.push_back(entry);
  }
  const int jid = j.jid;
  s_.jails[jid] = std::move(j);
  if (vnet) {
    NewInterface({"lo0", "lo", 0, 0, -1, jid, jid, false, 16384, "", {"lo"}, "", "", {}, {}, 0});
    for (const auto& x : handover)
      for (auto& [id, i] : s_.interfaces)
        if (i.vnet == kHostVnet && i.name == x) {
          Move(id, jid);  // jail(8) runs "ifconfig X vnet <jid>" right after the create (jail.8)
          break;
        }
  }
  std::string out = s_.jails[jid].name + ": created\n";
  if (!persist) RemoveJail(s_.jails[jid]);  // nothing keeps it alive (facts A2: persist or a command)
  return Ok(out);
}

CommandResult Machine::Jls(const Args& a) {
  bool json = false, dying = false, verbose = false;
  std::string only;
  std::vector<std::string> params;
  for (size_t k = 1; k < a.size(); ++k) {
    if (a[k] == "--libxo" && k + 1 < a.size()) json = a[++k] == "json";
    else if (a[k] == "--libxo=json") json = true;
    else if (a[k] == "-d") dying = true;
    else if (a[k] == "-v") verbose = true;
    else if (a[k] == "-j" && k + 1 < a.size()) only = a[++k];
    else if (a[k].starts_with("-")) return Err("jls: illegal option -- " + a[k].substr(1));
    else params.push_back(a[k]);
  }
  static const std::vector<std::string> kKnown = {"jid", "name", "path", "vnet", "dying", "host.hostname",
                                                  "ip4", "ip4.addr", "meta", "persist"};
  for (const auto& p : params)
    if (std::find(kKnown.begin(), kKnown.end(), p) == kKnown.end() || (p == "meta" && !s_.jail_meta))
      return Err("jls: unknown parameter: " + p);
  std::vector<const SimJail*> jails;
  for (const auto& [jid, j] : s_.jails)
    if ((dying || !j.dying) && (only.empty() || j.name == only || std::to_string(jid) == only)) jails.push_back(&j);
  if (!only.empty() && jails.empty()) return Err("jls: jail \"" + only + "\" not found");  // facts A2
  if (!json) {
    std::ostringstream o;
    o << "   JID  IP Address      Hostname                      Path\n";
    for (const SimJail* j : jails) {
      char line[256];
      std::snprintf(line, sizeof line, "%6d  %-15s %-29s %s\n", j->jid,
                    j->ip4_addrs.empty() ? "" : j->ip4_addrs[0].c_str(), j->hostname.c_str(), j->path.c_str());
      o << line;
    }
    return Ok(o.str());
  }
  // libxo: {"__version": "2", "jail-information": {"jail": [...]}}, spacing as emitted (facts A2). With
  // parameters every scalar is a string and booleans are true/false; with -v jid is a number.
  std::string items;
  for (const SimJail* j : jails) {
    std::string obj;
    auto field = [&](const std::string& key, const std::string& value) {
      obj += (obj.empty() ? "" : ",") + Quoted(key) + ":" + value;
    };
    if (params.empty() && verbose) {
      field("jid", std::to_string(j->jid));
      field("hostname", Quoted(j->hostname));
      field("path", Quoted(j->path));
      field("name", Quoted(j->name));
      field("state", Quoted(j->dying ? "DYING" : "ACTIVE"));
      field("cpusetid", std::to_string(j->jid + 1));
      field("ipv4_addrs", nlohmann::json(j->ip4_addrs).dump());
      field("ipv6_addrs", "[]");
    } else {
      const std::vector<std::string> keys = params.empty() ? std::vector<std::string>{"jid", "name", "path"} : params;
      for (const auto& p : keys) {
        if (p == "jid") field(p, Quoted(std::to_string(j->jid)));
        if (p == "name") field(p, Quoted(j->name));
        if (p == "path") field(p, Quoted(j->path));
        if (p == "vnet") field(p, Quoted(j->vnet ? "new" : "inherit"));  // [UNCONFIRMED] facts A2
        if (p == "dying") field(p, j->dying ? "true" : "false");
        if (p == "persist") field(p, j->persist ? "true" : "false");
        if (p == "host.hostname") field(p, Quoted(j->hostname));
        if (p == "ip4") field(p, Quoted(j->vnet ? "inherit" : j->ip4));
        if (p == "ip4.addr") field(p, nlohmann::json(j->ip4_addrs).dump());
        if (p == "meta") field(p, Quoted(j->meta));
      }
    }
    items += (items.empty() ? "" : ",") + std::string("{") + obj + "}";
  }
  return Ok("{\"__version\": \"2\", \"jail-information\": {\"jail\": [" + items + "]}}\n");
}

CommandResult Machine::Jexec(const Args& a, const std::string& input) {
  size_t k = 1;
  while (k < a.size() && a[k].starts_with("-")) k += (a[k] == "-u" || a[k] == "-U") ? 2 : 1;
  if (k + 1 >= a.size()) return Err("usage: jexec [-l] [-u username | -U username] jail command ...");
  SimJail* jail = FindJail(a[k], false);  // dying jails cannot be entered
  if (!jail) return Err("jexec: jail \"" + a[k] + "\" not found");  // facts A2
  // jexec.c: jail_attach(2), chdir("/"), execvp(3): the program is the jail's own, looked up in the jail's tree
  // (its path on the host). An empty jail has none, and berth never runs what a jail's root put there.
  Args cmd(a.begin() + long(k) + 1, a.end());
  const std::string program = cmd[0].starts_with("/") ? cmd[0] : "/bin/" + cmd[0];
  auto found = Resolve(program, jail->path);
  if (!found || !s_.files.count(*found)) return Err("jexec: execvp: " + cmd[0] + ": No such file or directory");
  cmd[0] = cmd[0].substr(cmd[0].rfind('/') + 1);
  // A tree that holds the tool runs it with the jail's view (the simulator has no other binaries).
  if (cmd[0] == "ifconfig") return IfconfigIn(jail->vnet ? jail->jid : kHostVnet, Args(cmd.begin() + 1, cmd.end()), !jail->vnet);
  if (cmd[0] == "cat" || cmd[0] == "tee") return Files(cmd, input, jail->path);
  return Err("sim: " + cmd[0] + " inside a jail is not simulated", 127);
}

CommandResult Machine::Route(const Args& a) {
  // route.c main: getopt "46nqdtvj:" before the command; -j JAIL attaches to the jail (route.8 -j, D40377, in
  // 15.0).
  size_t k = 1;
  std::string jail_name;
  for (; k < a.size() && a[k].size() > 1 && a[k][0] == '-'; ++k) {
    if (a[k] == "-j" && k + 1 < a.size()) jail_name = a[++k];
    else if (a[k] == "-n" || a[k] == "-q" || a[k] == "-4" || a[k] == "-6" || a[k] == "-v") continue;
    else return Err("usage: route [-j jail] [-46dnqtv] command [[modifiers] args]");
  }
  SimJail* jail = nullptr;
  if (!jail_name.empty()) {
    jail = FindJail(jail_name, false);
    if (!jail) return Err("route: jail \"" + jail_name + "\" not found");
  }
  return RouteIn(jail, Args(a.begin() + long(k), a.end()));
}

CommandResult Machine::RouteIn(SimJail* jail, const Args& args) {
  if (!jail) return Err("sim: route on the host is not simulated");
  const int vnet = jail->vnet ? jail->jid : kHostVnet;
  if (args.size() >= 2 && args[1] == "-net") return RouteNet(jail, args);
  if (args.size() < 2 || args[1] != "default") return Err("route: unsupported in the simulator");
  std::optional<std::string>& gw = jail->gateway;
  std::string via;
  if (gw && !Reaches(s_, vnet, *gw, &via)) gw.reset();  // the kernel drops a route with its interface's address
  // route(8)'s messages below are not in the facts file: they are written from route.c's behaviour as known to
  // the author and marked [UNCONFIRMED] in docs/freebsd.md.
  const std::string& verb = args[0];
  if (verb == "get") {
    if (!gw) return Err("route: route has not been found");
    return Ok("   route to: default\ndestination: default\n       mask: default\n    gateway: " + *gw +
              "\n        fib: 0\n  interface: " + via +
              "\n      flags: <UP,GATEWAY,DONE,STATIC>\n recvpipe  sendpipe  ssthresh  rtt,msec    mtu        weight"
              "    expire\n       0         0         0         0      1500         1         0 \n");
  }
  if (!jail->vnet) return Err("route: writing to routing socket: Operation not permitted");
  if (verb == "delete") {
    if (!gw) return Err("route: writing to routing socket: No such process\ndelete net default fail");
    gw.reset();
    return Ok("delete net default\n");
  }
  if ((verb != "add" && verb != "change") || args.size() != 3) return Err("route: bad arguments");
  const std::string& to = args[2];
  if (verb == "add" && gw) return Err("route: writing to routing socket: File exists\nadd net default: gateway " + to + " fail");
  if (verb == "change" && !gw)
    return Err("route: writing to routing socket: No such process\nchange net default: gateway " + to + " fail");
  if (!Reaches(s_, vnet, to, nullptr))
    return Err("route: writing to routing socket: Network is unreachable\n" + verb + " net default: gateway " + to + " fail");
  gw = to;
  return Ok(verb + " net default: gateway " + to + "\n");
}

}  // namespace berth::drivers::freebsd::sim
