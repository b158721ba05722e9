// berth's ownership tag on FreeBSD, written into interface descriptions (ifconfig X description ...), the jail
// parameter meta and ipfw rule comments: "berth owner=Jail/j1 end=a if=vnet0". A description survives vnet
// moves and the return of an interface from a dying jail (facts A1/A2), unlike custom interface groups, which
// are lost on a move; so it is how berth recognises an epair's end wherever it turns up.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace berth::reconciler::freebsd_res {

/// Fields besides the owner, all optional:
///   end=a|b   which end of an epair
///   if=NAME   the in-jail name of a jail's epair (both ends)
///   pair=NAME on a b end: the host end's name when the b end was tagged
struct FreeBsdTag {
  std::string owner;                         // manifest resource, "Jail/j1", "Bridge/bridge0", "NAT/out"
  std::map<std::string, std::string> fields;

  std::string Get(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? "" : it->second;
  }
  friend bool operator==(const FreeBsdTag&, const FreeBsdTag&) = default;
};

/// "berth owner=<owner>" then " key=value" in key order. Owner and values must not contain spaces.
std::string FormatFreeBsdTag(const FreeBsdTag& tag);
/// Parses FormatFreeBsdTag's output; nullopt for anything else (another tool's description is not berth's).
std::optional<FreeBsdTag> ParseFreeBsdTag(std::string_view text);

}  // namespace berth::reconciler::freebsd_res
