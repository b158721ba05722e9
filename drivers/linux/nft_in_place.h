// berth's tables changed without rewriting them, where the batch allows it (the whole-table rewrite in nft.cc
// is always correct; these are the fast paths):
// - new per-VM groups are appended: they match nothing but their VM's address, so their place among other
//   per-VM groups does not matter, and "vm/" groups come after the "nat/" ones in the canonical order anyway;
// - updated rule groups are replaced in place: `replace rule ... handle H` for each rule of the group, in the
//   same transaction as the appends.
// Adding a VM with port forwards changes its NAT's shared rules (one rule per chain, linux_forwards.cc) and
// the hairpin exemption: a replace of a few rules where a rewrite would parse every VM's rules again.
// Only where every chain keeps its number of the group's rules, so each rule keeps its place in the chain's
// canonical order; anything else is left to the rewrite, which is always correct.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/linux/apply.h"

namespace berth::drivers::lnx {

/// The batch is new per-VM groups only.
bool OnlyNewVmGroups(const std::vector<Job*>& jobs);
/// The commands that add the new groups of `jobs` (chains, rules, set elements) to the existing tables.
std::string RenderAppend(const std::vector<Job*>& jobs);

/// A chain of berth's tables: family and name ("inet", "prerouting").
using ChainRef = std::pair<std::string, std::string>;
/// The handles of each group's rules in one chain, in the chain's order.
using GroupHandles = std::map<std::string, std::vector<uint64_t>>;

/// Parses `nft -a list table FAMILY berth` (text, stateless): by chain, the handles of each group's rules (by
/// their "berth:GROUP" comment). One listing of the table: nft reads the whole table for a chain's anyway.
std::map<std::string, GroupHandles> ParseChainHandles(const std::string& listing);

/// The chains an in-place update of `jobs` replaces rules in; nullopt when the batch is not of that shape:
/// creates of per-VM groups and at least one update of a rule group whose set elements stay as they are.
std::optional<std::vector<ChainRef>> InPlaceChains(const std::vector<Job*>& jobs);

/// The replace commands of the updates in `jobs`, given each chain's handles as the kernel lists them; nullopt
/// when an updated group has another number of rules in a chain than the kernel has.
std::optional<std::string> RenderReplaces(const std::vector<Job*>& jobs, const std::map<ChainRef, GroupHandles>& listed);

}  // namespace berth::drivers::lnx
