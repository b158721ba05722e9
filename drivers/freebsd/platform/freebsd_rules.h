// pf and ipfw rule text for FreeBSD: the rules berth derives from NATs and secure-VNET interfaces, and the
// normalisation that makes them comparable with what `pfctl -s nat` and `ipfw list` print. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/manifest.h"

namespace berth::reconciler::freebsd_res {

/// One pf translation rule in the form berth loads and compares: single spaces; a match port as "port = N"
/// (pf prints it so); no "round-robin" (pf adds it to an interface target and berth never asks for another
/// pool type). Both the expansion and the observer pass rules through it, so they compare like with like.
std::string NormalizePfRule(std::string_view line);
/// The whitespace-separated words of a rule.
std::vector<std::string> RuleWords(std::string_view text);
/// Every non-empty line normalised, joined with "\n".
std::string NormalizePfRules(std::string_view text);

/// One ipfw rule body (no number, no "set N"): single spaces, no "// comment", MACs in lower case, "mac-type
/// 0x0806" as "mac-type arp", no "logamount N" after "log".
std::string NormalizeIpfwRule(std::string_view body);

/// "nat on em0 inet from 10.23.42.0/24 to any -> (em0)"
std::string PfNatRule(const std::string& egress, const model::Cidr4& source);
// A forward's rdr and nat rules: freebsd_forwards.h.

/// The secure-VNET layer-2 whitelist of one jail interface (libioc's scheme, facts A3): on the per-jail bridge,
/// frames leaving towards the host bridge (out via `uplink_b`) must carry the jail's IP and MAC as source,
/// frames leaving towards the jail (out via `host_end`) its IP and MAC as destination; ARP from the jail's MAC
/// and ARP to the jail pass; everything else is denied and logged.
std::vector<std::string> SecureVnetRules(const model::Ipv4& ip, const model::Mac& mac, const std::string& uplink_b,
                                         const std::string& host_end);

}  // namespace berth::reconciler::freebsd_res
