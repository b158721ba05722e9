// The simulated host's machinery behind SimFreeBsd: one method per tool, over SimState. Not thread-safe
// (SimFreeBsd serialises calls). Each rule it enforces cites its source: "facts A1" is
// /work/shared/reference/platform-facts.md section A1, a path (sbin/ifconfig/ifconfig.c) a file of FreeBSD's source
// tree, name(8) a FreeBSD manual page; tests/freebsd/conformance/ holds the verdicts with their sources.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drivers/freebsd/command_runner.h"
#include "drivers/freebsd/sim/sim_state.h"

namespace berth::drivers::freebsd::sim {

using Args = std::vector<std::string>;

CommandResult Ok(std::string out = "");
CommandResult Err(std::string err, int code = 1);
/// Whether `gateway` is on a subnet of an up interface in `vnet` (not a /32); `via` gets that interface.
bool Reaches(const SimState& s, int vnet, const std::string& gateway, std::string* via);

class Machine {
 public:
  explicit Machine(SimState& s) : s_(s) {}

  CommandResult Dispatch(const Args& argv, const std::string& input);
  /// One command's worth of time: torn-down vnets return their interfaces, dying jails finish dying.
  void Tick();
  /// Everything asynchronous completes.
  void Settle();
  /// Removes a live jail as jail -r does (the caller checked it exists).
  void RemoveJail(SimJail& jail);

  // Tools, as the host runs them. ifconfig and route take -j JAIL (attach to the jail first).
  CommandResult Ifconfig(const Args& args);
  CommandResult Jail(const Args& args);
  CommandResult Jls(const Args& args);
  CommandResult Jexec(const Args& args, const std::string& input);
  CommandResult Route(const Args& args);
  /// netstat -j JAIL -rn -f inet: a VNET jail's IPv4 routing table (sim_routes.cc).
  CommandResult Netstat(const Args& args);
  /// route add|delete -net CIDR [GATEWAY] in a jail (sim_routes.cc); RouteIn hands these over.
  CommandResult RouteNet(SimJail* jail, const Args& args);
  // Files under the host's root (root "") or a jail's (jexec): realpath, stat -f %HT, cat, tee.
  CommandResult Files(const Args& args, const std::string& input, const std::string& root);

  /// ifconfig after its options, in a vnet (kHostVnet, or a VNET jail's jid); read_only: a non-VNET jail.
  CommandResult IfconfigIn(int vnet, const Args& args, bool read_only);
  /// route after its options, for the host (jail null) or a jail.
  CommandResult RouteIn(SimJail* jail, const Args& args);
  /// A path with every symbolic link followed (an absolute target starts again at `root`); nullopt on a loop.
  std::optional<std::string> Resolve(const std::string& path, const std::string& root, bool follow_last = true) const;
  /// Whether a resolved path exists: a file, a directory, a prefix of either, or a jail's tree (path, path/etc).
  bool Exists(const std::string& path) const;
  CommandResult Pfctl(const Args& args, const std::string& input);
  CommandResult Ipfw(const Args& args);
  CommandResult Pipe(const Args& args);  // ipfw pipe ... (dummynet), in sim_pf.cc
  CommandResult Sysctl(const Args& args);

  // Interfaces.
  SimInterface* Find(int vnet, const std::string& name);
  /// The interfaces of a vnet in listing order.
  std::vector<const SimInterface*> InVnet(int vnet) const;
  int NewInterface(SimInterface iface);
  /// Destroys an interface; an epair's other end goes too, wherever it is (facts A1).
  void Destroy(int id);
  /// Moves an interface to another vnet: it leaves its bridge, keeps its description, loses custom groups.
  void Move(int id, int vnet);
  std::string NextMac(char last);
  /// `ifconfig` show output of one interface.
  std::string Render(const SimInterface& iface) const;

  // Jails.
  SimJail* FindJail(const std::string& name_or_jid, bool include_dying);

 private:
  CommandResult Create(int vnet, const std::string& name, const Args& ops);
  CommandResult ApplyOps(int vnet, int id, const Args& ops, size_t from, std::string out);
  CommandResult SetAddress(int vnet, int id, const std::string& family, const std::vector<std::string>& addresses,
                           int alias);
  CommandResult Show(int vnet, const Args& args);
  SimState& s_;
};

}  // namespace berth::drivers::freebsd::sim
