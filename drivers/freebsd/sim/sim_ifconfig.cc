// ifconfig(8) on the simulated host: listing, cloning (epair, bridge), renaming, bridge membership, addresses,
// descriptions, groups, vnet moves, destruction — with FreeBSD's messages and exit codes.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "drivers/freebsd/sim/sim_machine.h"
#include "model/naming.h"

// The grammar below is ifconfig.c's: an optional address family right after the interface (af_getbyname on that
// one word; af_link.c registers "link" with the aliases "ether" and "lladdr"), then parameters, each word not a
// parameter being the address and the next such word the destination address (setifaddr, setifdstaddr).

namespace berth::drivers::freebsd::sim {
namespace {

bool Digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "epair" + "" or "epair" + "5": the cloner and the requested unit (-1: any). The epair cloner accepts only
/// "epair" or "epair<digits>" (facts A1, if_epair.c); bridges likewise.
bool ParseCloner(const std::string& name, std::string& cloner, int& unit) {
  for (const char* c : {"epair", "bridge"}) {
    if (!name.starts_with(c)) continue;
    std::string rest = name.substr(std::string(c).size());
    if (!rest.empty() && !Digits(rest)) return false;
    cloner = c;
    unit = rest.empty() ? -1 : std::stoi(rest);
    return true;
  }
  return false;
}

}  // namespace

SimInterface* Machine::Find(int vnet, const std::string& name) {
  for (auto& [id, i] : s_.interfaces)
    if (i.vnet == vnet && i.name == name) return &i;
  return nullptr;
}

int Machine::NewInterface(SimInterface iface) {
  int id = s_.next_interface++;
  iface.index = id;
  s_.interfaces[id] = std::move(iface);
  return id;
}

std::vector<const SimInterface*> Machine::InVnet(int vnet) const {
  std::vector<const SimInterface*> out;
  for (const auto& [id, i] : s_.interfaces)
    if (i.vnet == vnet) out.push_back(&i);
  std::sort(out.begin(), out.end(), [](const SimInterface* a, const SimInterface* b) { return a->index < b->index; });
  return out;
}

std::string Machine::NextMac(char last) {
  uint32_t x = s_.mac_seed = s_.mac_seed * 1103515245u + 12345u;
  char buf[32];
  std::snprintf(buf, sizeof buf, "02:%02x:%02x:%02x:%02x:%02x", (x >> 24) & 0xff, (x >> 16) & 0xff, (x >> 8) & 0xff,
                x & 0xff, last);
  return buf;
}

void Machine::Destroy(int id) {
  auto it = s_.interfaces.find(id);
  if (it == s_.interfaces.end()) return;
  int peer = it->second.peer;
  for (int gone : {id, peer}) {
    if (!s_.interfaces.count(gone)) continue;
    for (auto& [other, i] : s_.interfaces) std::erase(i.members, gone);
    for (auto& limbo : s_.limbo) std::erase(limbo.interfaces, gone);
    s_.interfaces.erase(gone);
  }
}

void Machine::Move(int id, int vnet) {
  SimInterface& i = s_.interfaces.at(id);
  for (auto& [other, bridge] : s_.interfaces) std::erase(bridge.members, id);  // if_bridge detaches a leaving member
  // The description stays, custom groups go, addresses go (facts A1, A2; if.c if_vmove).
  if (i.groups.size() > 1) i.groups.resize(1);
  i.inet.clear();
  i.vnet = vnet;
  i.index = s_.next_interface++;
}

CommandResult Machine::Ifconfig(const Args& a) {
  // ifconfig.c main: getopt over the leading options, up to the interface name. -j JAIL attaches to the jail
  // before anything else (ifconfig(8) -j, in 15.0): the host's binary, the jail's view.
  size_t k = 1;
  bool all = false, names = false;
  std::string group, jail;
  for (; k < a.size() && a[k].size() > 1 && a[k][0] == '-'; ++k) {
    const std::string& o = a[k];
    if (o == "-a") all = true;
    else if (o == "-l") names = true;
    else if ((o == "-j" || o == "-g") && k + 1 < a.size()) (o == "-j" ? jail : group) = a[++k];
    else if (o == "-d" || o == "-u" || o == "-m" || o == "-n" || o == "-v" || o == "-k") continue;
    else return Err("usage: ifconfig [-j jail] [-kLmn] [-f type:format] interface [create] [address_family]\n"
                    "                [address [dest_address]] [parameters]");
  }
  int vnet = kHostVnet;
  bool read_only = false;
  if (!jail.empty()) {
    SimJail* j = FindJail(jail, false);  // jail_getid(3): a dying jail is not found
    if (!j) return Err("ifconfig: jail \"" + jail + "\" not found");
    vnet = j->vnet ? j->jid : kHostVnet;
    read_only = !j->vnet;  // a jail without its own vnet may look at the host's interfaces, not change them
  }
  Args rest(a.begin() + long(k), a.end());
  if (names) {
    std::string out;
    for (const SimInterface* i : InVnet(vnet)) out += (out.empty() ? "" : " ") + i->name;
    return Ok(out + "\n");
  }
  if (!group.empty() && !all) {  // one member per line; unknown or empty group: nothing, exit 0 (facts A1)
    std::string out;
    for (const SimInterface* i : InVnet(vnet))
      if (std::find(i->groups.begin(), i->groups.end(), group) != i->groups.end()) out += i->name + "\n";
    return Ok(out);
  }
  if (all || rest.empty()) {
    if (rest.size() > 1) return Err("usage: ifconfig -a [-d] [-m] [-u] [-v] [address_family]");
    std::string out;
    for (const SimInterface* i : InVnet(vnet)) out += Render(*i);
    return Ok(out);
  }
  return IfconfigIn(vnet, rest, read_only);
}

CommandResult Machine::IfconfigIn(int vnet, const Args& a, bool read_only) {
  const std::string& name = a[0];
  if (read_only && a.size() > 1) return Err("ifconfig: ioctl (SIOCSIFFLAGS): Operation not permitted");
  if (a.size() >= 2 && (a[1] == "create" || a[1] == "plumb")) return Create(vnet, name, Args(a.begin() + 2, a.end()));
  if (a.size() == 3 && a[1] == "-vnet") {
    // ifconfig skips its own existence check for -vnet: the name is looked up in the jail (facts A2).
    SimJail* jail = FindJail(a[2], false);
    if (!jail) return Err("ifconfig: jail \"" + a[2] + "\" not found");  // facts A2
    SimInterface* i = Find(jail->jid, name);
    if (!i)  // facts A2: -vnet for an interface not in the jail (ENXIO)
      return Err("ifconfig: SIOCSIFRVNET(" + std::to_string(jail->jid) + ", " + name + "): Device not configured");
    for (auto& [id, x] : s_.interfaces)
      if (&x == i) Move(id, kHostVnet);  // no check for a clash with a host name (facts A2)
    return Ok();
  }
  SimInterface* i = Find(vnet, name);
  if (!i) return Err("ifconfig: interface " + name + " does not exist");  // ifconfig.c main, any verb but create
  if (a.size() == 1) return Ok(Render(*i));
  int id = 0;
  for (auto& [key, x] : s_.interfaces)
    if (&x == i) id = key;
  return ApplyOps(vnet, id, a, 1, "");
}

CommandResult Machine::Create(int vnet, const std::string& name, const Args& ops) {
  if (SimInterface* existing = Find(vnet, name)) {
    // "ifconfig bridge0 create" fails when bridge0 exists; with more arguments "create" is silently dropped and
    // the rest applied to the existing interface (facts A1, ifconfig.c).
    if (ops.empty()) return Err("ifconfig: interface " + name + " already exists");
    int id = 0;
    for (auto& [k, x] : s_.interfaces)
      if (&x == existing) id = k;
    return ApplyOps(vnet, id, ops, 0, "");
  }
  std::string cloner;
  int unit = -1;
  if (!ParseCloner(name, cloner, unit)) return Err("ifconfig: SIOCIFCREATE2: Invalid argument");  // no such cloner
  std::vector<int> used;
  for (const auto& [id, i] : s_.interfaces)
    if (i.cloner == cloner && (cloner != "epair" || i.end == 'a')) used.push_back(i.unit);
  // A unit in use: the kernel-side clash of facts A1 ("epair5 create" while epair5a exists).
  if (unit >= 0 && std::count(used.begin(), used.end(), unit)) return Err("ifconfig: SIOCIFCREATE2: File exists");
  if (unit < 0)
    for (unit = 0; std::count(used.begin(), used.end(), unit); ++unit) {
    }
  const std::string base = cloner + std::to_string(unit);
  std::string printed;
  int id = 0;
  if (cloner == "epair") {
    // Either end's name existing makes the clone fail, a returned jail end included (facts A1, if_epair.c).
    if (Find(vnet, base + "a") || Find(vnet, base + "b")) return Err("ifconfig: SIOCIFCREATE2: File exists");
    std::string mac = NextMac(0x0a);  // both ends share the address but for the last byte (facts A1)
    SimInterface a{base + "a", "epair", unit, 'a', -1, vnet, vnet, false, 1500, "", {"epair"}, mac, mac, {}, {}, 0};
    std::string b_mac = mac.substr(0, 15) + "0b";
    SimInterface b{base + "b", "epair", unit, 'b', -1, vnet, vnet, false, 1500, "", {"epair"}, b_mac, b_mac, {}, {}, 0};
    id = NewInterface(std::move(a));
    int b_id = NewInterface(std::move(b));
    s_.interfaces[id].peer = b_id;
    s_.interfaces[b_id].peer = id;
    printed = base + "a\n";  // printed because it differs from the requested name (facts A1, ifclone.c)
  } else {
    if (Find(vnet, base)) return Err("ifconfig: SIOCIFCREATE2: File exists");
    SimInterface br{base, "bridge", unit, 0, -1, vnet, vnet, false, 1500, "", {"bridge"}, NextMac(0x00), "", {}, {}, 0};
    id = NewInterface(std::move(br));
    if (base != name) printed = base + "\n";
  }
  return ApplyOps(vnet, id, ops, 0, printed);
}

CommandResult Machine::ApplyOps(int vnet, int id, const Args& ops, size_t from, std::string out) {
  // ifconfig applies its parameters one by one, each with its own ioctl: a failure leaves what came before in
  // place (facts A1: a failed "name" after "create" leaves bridgeN behind). Addresses are parsed where they
  // stand (a bad one ends the command there) and set at the end (ifconfig.c: the deferred SIOCAIFADDR).
  auto fail = [&](std::string message) {
    CommandResult r = Err(std::move(message));
    r.out = out;
    return r;
  };
  std::string family = "inet";  // ifconfig.c ifconfig(): the historical default
  size_t k = from;
  if (k < ops.size()) {
    const std::string& f = ops[k];
    if (f == "inet" || f == "inet6" || f == "link" || f == "ether" || f == "lladdr") {
      family = f == "inet" || f == "inet6" ? f : "link";
      ++k;
    }
  }
  std::vector<std::string> addresses;
  int alias = 0;  // 1: alias/add, -1: -alias/delete/remove
  for (; k < ops.size(); ++k) {
    SimInterface& i = s_.interfaces.at(id);
    const std::string& op = ops[k];
    const bool has_arg = k + 1 < ops.size();
    const std::string arg = has_arg ? ops[k + 1] : "";
    auto member_of = [&]() -> SimInterface* {
      for (auto& [bid, b] : s_.interfaces)
        if (std::count(b.members.begin(), b.members.end(), id)) return &b;
      return nullptr;
    };
    static const std::vector<std::string> kNextArg = {"mtu", "description", "descr", "name", "addm", "deletem",
                                                      "vnet", "group", "-group", "netmask", "broadcast"};
    if (std::count(kNextArg.begin(), kNextArg.end(), op) && !has_arg)
      return fail("ifconfig: '" + op + "' requires argument");  // ifconfig.c: NEXTARG without an argument
    if (op == "up" || op == "down") {
      i.up = op == "up";
    } else if (op == "alias" || op == "add") {
      alias = 1;
    } else if (op == "-alias" || op == "delete" || op == "remove") {
      alias = -1;
    } else if (op == "netmask" || op == "broadcast") {
      ++k;
      if (family != "inet") return fail("ifconfig: can't set link-level netmask or broadcast");
      return fail("sim: " + op + " is not simulated (berth writes CIDR)");
    } else if (op == "mtu") {
      ++k;
      // On 15.1 a member's MTU cannot change once it is on a bridge (facts A1 [3p]).
      if (member_of()) return fail("ifconfig: ioctl SIOCSIFMTU (set mtu): Operation not supported");
      i.mtu = std::atoi(arg.c_str());
    } else if (op == "description" || op == "descr") {
      ++k;
      if (arg.size() > 1024) return fail("ifconfig: ioctl SIOCSIFDESCR (set descr): File name too long");
      i.description = arg;  // net.ifdescr_maxlen, default 1024 (facts A1)
    } else if (op == "-description" || op == "-descr") {
      i.description.clear();
    } else if (op == "name") {
      ++k;
      // IFNAMSIZ is 16: at most 15 characters (facts A1, if.h); renaming onto a taken name fails (facts A1).
      if (arg.size() > model::kMaxInterfaceName) return fail("ifconfig: ioctl SIOCSIFNAME (set name): File name too long");
      if (Find(vnet, arg)) return fail("ifconfig: ioctl SIOCSIFNAME (set name): File exists");
      i.name = arg;
      out += arg + "\n";  // a rename prints the final name (facts A1)
    } else if (op == "addm" || op == "deletem") {
      ++k;
      const std::string verb = op == "addm" ? "BRDGADD " : "BRDGDEL ";
      if (i.cloner != "bridge") return fail("ifconfig: " + verb + arg + ": Invalid argument");
      SimInterface* m = Find(vnet, arg);
      int mid = 0;
      for (auto& [k2, x] : s_.interfaces)
        if (&x == m) mid = k2;
      bool member = m && std::count(i.members.begin(), i.members.end(), mid);
      if (op == "deletem") {
        if (!member) return fail("ifconfig: BRDGDEL " + arg + ": No such file or directory");  // facts A1
        std::erase(i.members, mid);
        continue;
      }
      if (!m) return fail("ifconfig: BRDGADD " + arg + ": No such file or directory");  // if_bridge: ENOENT
      if (member) return fail("ifconfig: BRDGADD " + arg + ": File exists");  // facts A1
      for (auto& [bid, b] : s_.interfaces)
        if (std::count(b.members.begin(), b.members.end(), mid))  // if_bridge: a member of another bridge, EBUSY
          return fail("ifconfig: BRDGADD " + arg + ": Device busy");
      if (m->cloner == "bridge") return fail("ifconfig: BRDGADD " + arg + ": Invalid argument");  // if_bridge(4)
      // Members must match the bridge's MTU; the first member sets it (facts A1, if_bridge(4)).
      if (i.members.empty()) i.mtu = m->mtu;
      else if (m->mtu != i.mtu) return fail("ifconfig: BRDGADD " + arg + ": Invalid argument");
      i.members.push_back(mid);
    } else if (op == "vnet") {
      ++k;
      SimJail* jail = FindJail(arg, true);
      if (!jail) return fail("ifconfig: jail \"" + arg + "\" not found");  // facts A2
      if (jail->dying) return fail("ifconfig: SIOCSIFVNET: Device busy");  // facts A2: EBUSY
      if (!jail->vnet) return fail("ifconfig: SIOCSIFVNET: File exists");  // if_vmove: same vnet, EEXIST
      // A move after creation works: jail(8) implements vnet.interface with exactly this command right after
      // creating the jail (jail.8 vnet.interface; usr.sbin/jail/command.c). The interface leaves this vnet, so
      // nothing after it on the line can find it.
      Move(id, jail->jid);
      if (k + 1 < ops.size()) return fail("ifconfig: ioctl (SIOCGIFFLAGS): Device not configured");
      return Ok(out);
    } else if (op == "group" || op == "-group") {
      ++k;
      if (!arg.empty() && arg.back() >= '0' && arg.back() <= '9')
        return fail("ifconfig: setifgroup: group names may not end in a digit");  // facts A1, ifgroup.c
      if (op == "group" && !std::count(i.groups.begin(), i.groups.end(), arg)) i.groups.push_back(arg);
      if (op == "-group") std::erase(i.groups, arg);
    } else if (op == "destroy") {
      if (i.cloner.empty() || i.cloner == "lo")  // only cloned interfaces can be destroyed (if_clone.c: EINVAL)
        return fail("ifconfig: SIOCIFDESTROY: Invalid argument");
      Destroy(id);  // an epair goes with both ends, under any name, wherever the other end is (facts A1)
      return Ok(out);
    } else {
      // Not a parameter: the address, then the destination address (ifconfig.c setifaddr / setifdstaddr),
      // parsed by the family's af_getaddr right away.
      if (family == "link") {
        // af_link.c link_getaddr: only an address, never a destination.
        if (!addresses.empty()) return fail("ifconfig: can't set link-level netmask or broadcast");
        if (!model::Mac::Parse(op)) return fail("ifconfig: malformed link-level address");
      } else if (family == "inet") {
        // af_inet.c in_getaddr: an address with an optional /len, else a host name; "bad value" otherwise.
        if (!model::Cidr4::Parse(op) && !model::Ipv4::Parse(op)) return fail("ifconfig: " + op + ": bad value");
        if (!addresses.empty()) return fail("sim: destination addresses are not simulated");
      } else {
        return fail("sim: inet6 is not simulated");
      }
      addresses.push_back(op);
    }
  }
  if (addresses.empty()) return Ok(out);
  CommandResult r = SetAddress(vnet, id, family, addresses, alias);
  r.out = out + r.out;
  return r;
}

CommandResult Machine::SetAddress(int vnet, int id, const std::string& family, const std::vector<std::string>& addresses,
                                  int alias) {
  SimInterface& i = s_.interfaces.at(id);
  const std::string& arg = addresses.front();
  if (family == "link") {
    i.ether = model::Mac::Parse(arg)->ToString();  // SIOCSIFLLADDR; hwaddr keeps the factory address
    return Ok();
  }
  auto cidr = model::Cidr4::Parse(arg);
  if (auto ip = model::Ipv4::Parse(arg)) cidr = model::Cidr4{*ip, 32};  // no /len: a host address
  auto at = std::find_if(i.inet.begin(), i.inet.end(), [&](const model::Cidr4& c) { return c.address == cidr->address; });
  if (alias < 0) {
    if (at == i.inet.end()) return Err("ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address");  // facts A1
    i.inet.erase(at);
    return Ok();
  }
  if (at != i.inet.end() && alias == 0) return Ok();
  for (const auto& [oid, o] : s_.interfaces)
    if (o.vnet == vnet)
      for (const auto& c : o.inet)
        if (c.address == cidr->address)  // an address once per vnet (in_aifaddr: EEXIST) [UNCONFIRMED text]
          return Err("ifconfig: ioctl (SIOCAIFADDR): File exists");
  if (alias == 0 && !i.inet.empty()) i.inet.front() = *cidr;  // without alias the first address is replaced
  else i.inet.push_back(*cidr);
  return Ok();
}

std::string Machine::Render(const SimInterface& i) const {
  std::ostringstream o;
  if (i.cloner == "lo")
    o << i.name << ": flags=" << (i.up ? "8049<UP,LOOPBACK,RUNNING,MULTICAST>" : "8008<LOOPBACK,MULTICAST>");
  else
    o << i.name << ": flags=" << (i.up ? "8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>" : "8802<BROADCAST,SIMPLEX,MULTICAST>");
  o << " metric 0 mtu " << i.mtu << "\n";
  if (!i.description.empty()) o << "\tdescription: " << i.description << "\n";
  if (i.cloner == "epair") o << "\toptions=8<VLAN_MTU>\n";
  if (!i.ether.empty()) o << "\tether " << i.ether << "\n";
  // af_link.c prints hwaddr only when it differs from the current address (a changed MAC).
  if (!i.hwaddr.empty() && i.hwaddr != i.ether) o << "\thwaddr " << i.hwaddr << "\n";
  for (const auto& c : i.inet) {
    char mask[16];
    std::snprintf(mask, sizeof mask, "0x%08x", c.mask());
    o << "\tinet " << c.address.ToString() << " netmask " << mask;
    if (c.prefix < 31 && i.cloner != "lo") o << " broadcast " << c.broadcast().ToString();
    o << "\n";
  }
  if (!i.groups.empty()) {
    o << "\tgroups:";
    for (const auto& g : i.groups) o << " " << g;
    o << "\n";
  }
  for (int m : i.members) {
    auto it = s_.interfaces.find(m);
    if (it == s_.interfaces.end()) continue;
    o << "\tmember: " << it->second.name << " flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>\n"
      << "\t        ifmaxaddr 0 port " << m << " priority 128 path cost 2000\n";
  }
  o << "\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>\n";
  return o.str();
}

}  // namespace berth::drivers::freebsd::sim
