// Rate limits of a VNET jail on FreeBSD: two dummynet pipes (dummynet(4)) and ipfw rules of berth's set that send
// the jail's traffic through them, matched on the host end of each of the jail's epairs. Pure.
//
//   pipe:/21007    bw=<bit/s> burst=<bytes> jail=j1 (not compared): `ipfw pipe 21007 config bw Nbit/s burst B`
//   ipfw:/21007    rules="pipe 21007 ip from any to any not layer2 in recv <host end>\n
//                         pipe 22007 ip from any to any not layer2 out xmit <host end>" (per epair) jail=j1
//
// What the jail sends enters the host on its epair's host end (in recv), what it receives leaves the host there
// (out xmit). "not layer2": with net.link.bridge.ipfw=1 ipfw also sees layer-2 frames (ipfw(8) PACKET FLOW), and
// a frame must pass a pipe once. A packet leaving a pipe is accepted unless net.inet.ip.fw.one_pass=0 (ipfw(8)
// SYSCTL VARIABLES): with 1 it would skip every later rule of the host's firewall, so berth requires 0.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/manifest.h"
#include "reconciler/desired_builder.h"

namespace berth::reconciler::freebsd_res {

inline constexpr const char* kPipe = "pipe";
inline constexpr const char* kBw = "bw";        // pipe: bits per second
inline constexpr const char* kBurst = "burst";  // pipe: bytes

/// Rule numbers of berth's set that feed pipes (after the secure VNET whitelist's 20000..20999) and the pipes:
/// a jail's slot s gives rule 21000+s, egress pipe 21000+s, ingress pipe 22000+s.
inline constexpr int kShapeFirstRule = 21000;
inline constexpr int kShapeCount = 1000;
inline constexpr int kEgressPipeFirst = 21000;
inline constexpr int kIngressPipeFirst = 22000;
/// dummynet keeps a link's bandwidth as 32-bit bit/s (dn_link.bandwidth).
inline constexpr uint64_t kMaxPipeBits = 4294967295ULL;

/// Host facts: dummynet not loaded (ipfw pipe fails); net.inet.ip.fw.one_pass is not 0.
inline constexpr const char* kMissingDummynet = "dummynet";
inline constexpr const char* kIpfwOnePass = "ipfw-one-pass";

/// Slots of the jails with a bandwidth block, by jail id ("Jail/j1"): FNV-1a of the id, linearly probed, so a
/// jail keeps its numbers while others come and go.
std::map<std::string, int> ShapeSlots(const model::Manifest& manifest);

/// The rules that send each host end's traffic through the pipes, normalised as ipfw lists them.
std::vector<std::string> ShapeRules(int egress_pipe, int ingress_pipe, const std::vector<std::string>& host_ends);
/// True when `text` (one rule per line) is ShapeRules of some pipes in berth's range and some epair host ends.
bool IsShapeRules(const std::string& text);
/// The pipe numbers the rules of `text` send to.
std::vector<int> PipesOfRules(const std::string& text);

/// Why dummynet cannot hold `bits` exactly as berth would compare it (ipfw prints bandwidths with three
/// decimals of Kbit/s, Mbit/s or Gbit/s: sbin/ipfw/dummynet.c list_pipes), or nullopt.
std::optional<std::string> PipeRateProblem(uint64_t bits);
/// A pipe record as the expansion emits it: number in berth's range, bw and burst in range.
std::optional<std::string> PipeRecordError(const Resource& r);

/// The pipes and the rule of a jail with spec.network.bandwidth, whose epairs' host ends are `host_ends`.
void ExpandJailBandwidth(const model::Jail& jail, int slot, const std::vector<std::string>& host_ends,
                         DesiredBuilder& b);

}  // namespace berth::reconciler::freebsd_res
