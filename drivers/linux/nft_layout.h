// The layout of berth's two nftables tables, `inet berth` and `bridge berth`, which are written and read as
// one: their base chains, their named sets and maps, and how a rule group's attributes name the chains of
// either table ("forward", "bridge:prerouting", "inet:host-vm1") and the set elements it owns ("elements").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::drivers::lnx {

inline constexpr const char* kFamilies[] = {"inet", "bridge"};

struct BaseChainSpec {
  const char* family;
  const char* name;
  const char* header;
};
/// Base chains in the order they are written (listings print chains in creation order).
const std::vector<BaseChainSpec>& BaseChains();

struct SetSpec {
  const char* family;
  const char* name;
  const char* type;  // "ipv4_addr", "ifname : verdict"
  bool map() const { return std::string_view(type).find(':') != std::string_view::npos; }
};
/// The named sets and maps whose elements rule groups own.
const std::vector<SetSpec>& Sets();

/// The group attribute of chain `chain` of `family`'s table: inet base chains by their name, other inet chains
/// "inet:NAME", bridge chains "bridge:NAME".
std::string ChainAttr(std::string_view family, std::string_view chain);
/// Whether a group attribute holds rules or elements (and is written to nftables), as opposed to metadata.
bool IsRuleAttr(std::string_view attr);
/// For a chain attribute, its family and chain name; false for anything else.
bool SplitChainAttr(std::string_view attr, std::string& family, std::string& chain);

/// The items of an "elements = { a comment "x", b }" text, trimmed; commas inside quotes do not split.
std::vector<std::string> SplitElements(std::string_view text);
/// An element as written inside a set block: the comment goes between the key and a map's " : verdict".
std::string ElementWithComment(const std::string& element, const std::string& comment);

}  // namespace berth::drivers::lnx
