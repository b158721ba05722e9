// The simulated FreeBSD host's state: interfaces (with the vnet they are in), jails, pf, ipfw and sysctls.
// Plain data, so tests can seed it and the CLI's sim-freebsd driver can keep it in a JSON file.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/net.h"

namespace berth::drivers::freebsd::sim {

inline constexpr int kHostVnet = 0;  // interfaces in a jail's vnet carry the jail's jid

struct SimInterface {
  std::string name;
  std::string cloner;  // "epair", "bridge", "lo"; "" for hardware (em0)
  int unit = -1;       // the cloner's unit; for an epair both ends share it
  char end = 0;        // 'a' or 'b' for epair ends
  int peer = -1;       // the other end's id (epair)
  int vnet = kHostVnet;
  int home = kHostVnet;  // the vnet it was created in: where it returns when a jail's vnet is torn down
  bool up = false;
  int mtu = 1500;
  std::string description;
  std::vector<std::string> groups;  // the cloner group first; custom groups after it
  std::string ether;
  std::string hwaddr;
  std::vector<model::Cidr4> inet;
  std::vector<int> members;  // bridges: member ids, in the order added
  int index = 0;             // listing order: a moved interface gets a new one in its new vnet (if_vmove)
};

struct SimJail {
  int jid = 0;
  std::string name;
  std::string path;
  std::string hostname;
  std::string meta;
  bool vnet = false;
  std::string ip4 = "new";  // new | inherit | disable
  std::vector<std::string> ip4_addrs;
  bool persist = false;
  bool dying = false;
  int dying_ticks = 0;  // commands until a dying jail is gone
  std::optional<std::string> gateway;  // default route (VNET jails)
  std::map<std::string, std::string> routes;  // other gateway routes: destination CIDR -> gateway (VNET jails)
};

/// One ipfw rule: its number, its set (0..30; 31 is the default rule's) and its body as ipfw lists it.
struct SimIpfwRule {
  int number = 0;
  int set = 0;
  std::string body;  // with "// comment"
};

/// A torn-down vnet whose interfaces have not come back yet (facts A2: vnet teardown is asynchronous).
struct SimLimbo {
  int jid = 0;
  int ticks = 0;               // commands until they return
  std::vector<int> interfaces;
};

struct SimState {
  std::map<int, SimInterface> interfaces;  // by id, in creation order (ifconfig lists them so)
  int next_interface = 1;
  std::map<int, SimJail> jails;  // by jid
  int next_jid = 1;
  std::vector<SimLimbo> limbo;

  // The host's file tree, as far as berth touches it (jails' trees live under their path): files, symbolic links
  // (path -> target, followed as the kernel does, so an absolute target leaves a jail's tree when read from the
  // host) and directories that exist without files in them. Programs a jail's tree holds are files too.
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> links;
  std::set<std::string> dirs;

  bool pf_loaded = true;
  bool pf_enabled = true;  // pfctl -e / -d; `pfctl -s info` prints "Status: Enabled|Disabled"
  std::vector<std::string> pf_main_nat;                   // `pfctl -s nat` of the main ruleset
  std::map<std::string, std::vector<std::string>> pf_anchors;  // anchor -> rules, canonical

  bool ipfw_loaded = true;
  std::vector<SimIpfwRule> ipfw_rules;  // in the order added
  bool ipfw_default_accept = true;      // rule 65535: allow (net.inet.ip.fw.default_to_accept=1) or deny
  bool dummynet_loaded = true;
  struct Pipe {
    uint64_t bw = 0;     // bit/s; 0 unlimited
    uint64_t burst = 0;  // bytes
  };
  std::map<int, Pipe> pipes;  // dummynet pipes by number

  std::map<std::string, std::string> sysctls;
  bool jail_meta = true;  // whether jail(8) and jls know the meta parameter

  // Test settings: how long removal takes.
  int return_ticks = 1;                        // commands until a torn-down vnet's interfaces come back
  std::map<std::string, int> dying_on_remove;  // jail name -> commands it stays DYING after jail -r
  uint32_t mac_seed = 0x5eed;
};

}  // namespace berth::drivers::freebsd::sim
