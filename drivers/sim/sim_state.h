// The simulated host's kernel objects, typed as the kernel keeps them (both ends of a veth, addresses on their
// link, tc per device), and the rule functions that change them the way the kernel would. Internal to sim/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "reconciler/driver.h"
#include "reconciler/resource.h"

namespace berth::drivers::sim {

using reconciler::Action;
using reconciler::Attrs;
using reconciler::DriverError;
using reconciler::Resource;
using reconciler::ResourceKey;

struct SimLink {
  std::string type;  // bridge | veth | tap | loopback | anything else the host has (e.g. "device")
  bool up = false;
  int mtu = 1500;
  std::string mac;
  std::string master;  // a bridge in the same netns
  uint32_t group = 0;
  std::string alias;
  std::string peer, peer_netns;  // veth: where the other end is
  bool primary = true;           // veth: the end the resource is keyed by (the one created)
  std::string owner_uid, owner_gid;
  std::set<std::string> addresses;  // CIDR text
};

struct SimNetns {
  std::map<std::string, SimLink> links;
  std::map<std::string, std::string> tc;  // device -> redirect target
  std::map<std::string, Attrs> qdiscs;    // device -> berth's root shaper (rate, burst)
};

struct SimNftGroup {
  Attrs chains;  // chain -> rules text
  std::string owner;
};

struct SimState {
  std::map<std::string, SimNetns> netns;  // "" is the host's own
  std::map<std::string, std::map<std::string, SimNftGroup>> nft_tables;
  std::map<std::string, std::string> nft_chains;  // table -> its base chains, as the real driver reports them
  std::map<std::string, std::string> sysctls;
  std::map<std::string, std::string> files;  // keyed by the resource name (the path)
  std::map<std::string, Attrs> vms;          // hypervisor processes by VM name: what was launched, running=true
  std::string created = "2026-01-01T00:00:00Z";  // time written into ownership tags

  SimNetns* FindNetns(const std::string& name);
  SimLink* FindLink(const std::string& netns, const std::string& name);
};

/// How a link create marks the new link: fully (group, then alias), only the group (what a crash between the
/// two leaves, or a seeded kMarked leftover), or not at all (a seeded unowned look-alike).
enum class Marking { kTag, kGroupOnly, kNone };

/// Why an action failed, as the kernel would say it; the kind follows from the errno.
DriverError SysError(const Action& action, int sys_errno, const std::string& what);
DriverError::Kind KindOfErrno(int sys_errno);

/// The netns of a tc object that lives on one device (a root qdisc) for `a`. Null with `error` set
/// when the netns or the device is missing; null without an error for a delete whose device is gone (the
/// object went with it).
SimNetns* DeviceNetns(SimState& s, const Action& a, std::optional<DriverError>& error);

/// Rules per kind. `retag` on updates: also complete the ownership tag (false for test drift).
std::optional<DriverError> CreateLink(SimState& s, const Action& a, Marking marking);
std::optional<DriverError> UpdateLink(SimState& s, const Action& a, bool retag);
std::optional<DriverError> DeleteLink(SimState& s, const Action& a);
std::optional<DriverError> ApplyNetns(SimState& s, const Action& a);
std::optional<DriverError> ApplyAddr(SimState& s, const Action& a);
std::optional<DriverError> ApplyTc(SimState& s, const Action& a);
std::optional<DriverError> ApplyQdisc(SimState& s, const Action& a);  // sim_qdisc.cc
std::optional<DriverError> ApplyNft(SimState& s, const Action& a);
std::optional<DriverError> ApplySetting(SimState& s, const Action& a);  // sysctl and file
std::optional<DriverError> ApplyVmProc(SimState& s, const Action& a);

/// Removes a link and what hangs off it (addresses, tc, bridge ports, the other end of a veth).
void EraseLink(SimState& s, const std::string& netns, const std::string& name);
/// The origin an action's resource names (the desired provenance, else the observed owner).
std::string OriginOf(const Resource& r);

/// Everything on the host, sorted by key, with the facts derived from unowned host links.
reconciler::ObservedState ObserveState(const SimState& s);

}  // namespace berth::drivers::sim
