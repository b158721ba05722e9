// The anonymous lists of berth's port forward rules (linux_forwards.cc): a NAT's plain forwards are elements
// of one dnat map and one target set per chain, not a rule each, so the kernel and nft parse a few rules per
// NAT however many forwards it has.
//   dnat map:   "{ tcp . 8080 : 10.168.0.10 . 80, udp . 5353 : 10.168.0.11 . 53 }"   PROTO . PORT : ADDR . PORT
//   target set: "{ 10.168.0.10 . tcp . 80, 10.168.0.11 . udp . 53 }"                  ADDR . PROTO . PORT
// A list's canonical order is by its key's numbers (address, protocol number, port), ascending, without
// duplicates. nft lists anonymous elements in an order of its own (by the key's bytes in memory), so a listed
// rule is brought to canonical order before it is compared (CanonicalRuleText). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::reconciler::linux_res {

enum class ConcatForm { kDnatMap, kTargetSet };

/// Checks one list word "{ E, E }": at least one element, each in `form`, in canonical order, no key twice.
std::optional<std::string> ConcatListError(std::string_view word, ConcatForm form);

/// The list word of `elements` (each in `form`), in canonical order with duplicates dropped. An element not in
/// `form` sorts last: the codec then refuses the rule.
std::string ConcatList(std::vector<std::string> elements, ConcatForm form);

/// A listed rule with each of its dnat maps and target sets in canonical order; other text as it was.
std::string CanonicalRuleText(std::string_view rule);

/// "tcp" -> 6, "udp" -> 17, "sctp" -> 132; 0 for any other word.
unsigned ProtocolNumber(std::string_view name);
/// 6 -> "tcp", 17 -> "udp", 132 -> "sctp"; "" for any other number.
std::string ProtocolName(unsigned number);

}  // namespace berth::reconciler::linux_res
