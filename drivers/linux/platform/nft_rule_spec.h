// The closed grammar of berth's nftables rules and set elements: exactly the forms the Linux expansion emits
// (linux_expand.cc NatRules/VmRules, linux_policy.cc), in nft's canonical listing text. Pure.
//
// Rules reach nft as text inside one command buffer, so a rule that is not in this grammar must never reach
// the driver: `accept; }; }; delete table inet other; ...` would run as commands of its own. The parser
// decodes a line token by token into typed terms (addresses, interface names, ports, set names from a fixed
// list) and the encoder prints them back; a line is accepted only when it round-trips to itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/result.h"

namespace berth::reconciler::linux_res {

/// One term of a rule, in order: a match, a statement or the verdict.
struct NftTerm {
  enum class Kind {
    kIp,          // "ip saddr|daddr [!=] ADDR|CIDR|@SET"      field, negate, value
    kIfname,      // "iifname|oifname [!=] \"IF\"|@SET"        field, negate, value
    kFibLocal,    // "fib daddr type [!=] local"               negate
    kDport,       // "tcp|udp dport PORT[-PORT]"               field (protocol), value
    kL4proto,     // "meta l4proto tcp|udp|sctp|icmp|{ tcp, udp, sctp }"  value (a list ascending)
    kTargets,     // "ip daddr . meta l4proto . th dport { ADDR . PROTO . PORT, ... }"  value (nft_concat.h)
    kPkttypeHost, // "meta pkttype host": a frame bridge netfilter bridged after its DNAT
    kIcmpEcho,    // "icmp type echo-request"
    kCtState,     // "ct state established,related|related"   value
    kCtDirection, // "ct direction reply|original"            value
    kCtStatus,    // "ct status dnat"
    kEtherSaddr,  // "ether saddr [!=] MAC"                     negate, value
    kEtherType,   // "ether type != { ip, arp }"                negate
    kArpSaddr,    // "arp saddr ether|ip [!=] MAC|ADDR"         field, negate, value
    kLimit,       // "limit rate over PPS/second [burst N packets]"  value (PPS), field (N; empty: nft's 5)
    kCounter,     // "counter"
    kVmap,        // "ip saddr|iifname|oifname vmap @SET"      field, value (last)
    kVerdict,     // "accept" | "drop" | "masquerade"            value (last)
    kDnat,        // "dnat ip to ADDR:PORT"                      value (last)
    kDnatMap,     // "dnat ip to meta l4proto . th|tcp|udp|sctp dport map { PROTO . PORT : ADDR . PORT, ... }"
                  //                                           field (the port's protocol word), value (last)
  };
  Kind kind = Kind::kCounter;
  std::string field;
  bool negate = false;
  std::string value;
  friend bool operator==(const NftTerm&, const NftTerm&) = default;
};

/// A rule: its terms, ending in a verdict, a vmap, a dnat or a dnat map.
struct NftRule {
  std::vector<NftTerm> terms;
  friend bool operator==(const NftRule&, const NftRule&) = default;
};

/// Decodes one rule line. Errors name the offending token ("unexpected ';' at word 5").
Result<NftRule> ParseNftRule(std::string_view text);
/// ParseNftRule's error without building the rule (the plan-time check of every desired rule allocates nothing).
std::optional<std::string> NftRuleError(std::string_view text);
/// The canonical text of `rule`; ParseNftRule(FormatNftRule(r)) == r for every rule the parser accepts.
std::string FormatNftRule(const NftRule& rule);

/// One element line of a group's `elements` attribute: "FAMILY SET ELEMENT" (linux_policy.h).
struct NftElement {
  std::string family;  // "inet" | "bridge"
  std::string set;     // one of berth's sets (nft_layout.cc Sets())
  std::string key;     // an IPv4 address (inet) or a quoted interface name (bridge)
  std::string jump;    // verdict maps: the chain to jump to; empty for plain sets
  friend bool operator==(const NftElement&, const NftElement&) = default;
};
Result<NftElement> ParseNftElement(std::string_view text);
std::optional<std::string> NftElementError(std::string_view text);
std::string FormatNftElement(const NftElement& element);

/// True for a chain name berth makes: "[a-z0-9]+" joined by '-', at most 64 characters (host-vm1, l2-vm1).
bool IsNftChainName(std::string_view name);

}  // namespace berth::reconciler::linux_res
