// Listing berth's nftables tables costs most of a no-op plan at scale, so the listings are kept (in memory and
// in <state_dir>/nft-listing.json) with the stamp of the ruleset they were read from, and reused while it holds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::drivers::lnx {

/// Which ruleset a listing shows: the boot, the network namespace (its cookie, never reused within a boot) and
/// nftables' generation there, which every committed change moves, whoever makes it. Equal stamps mean an
/// identical ruleset; the stamp never says anything about the contents.
struct RulesetStamp {
  std::string boot_id;
  uint64_t netns_cookie = 0;
  uint32_t generation = 0;
  bool operator==(const RulesetStamp&) const = default;
};

/// Reads the stamp of the namespace this object was made in (a NETLINK_NETFILTER socket kept open).
/// Not thread-safe: callers serialise (NftBackend holds its mutex).
class RulesetProbe {
 public:
  RulesetProbe();
  ~RulesetProbe();
  RulesetProbe(const RulesetProbe&) = delete;
  RulesetProbe& operator=(const RulesetProbe&) = delete;

  /// The current stamp; nullopt when any part is unknown (then nothing is reused).
  std::optional<RulesetStamp> Stamp();

 private:
  int fd_ = -1;
  uint64_t cookie_ = 0;
  uint32_t seq_ = 0;
  std::string boot_id_;
};

/// The text of `nft list table FAMILY berth` per family at `stamp`; nullopt for a family whose table is absent.
/// With the foreign base chains on the forward hook that drop, once read at the same stamp.
struct TableListings {
  RulesetStamp stamp;
  std::map<std::string, std::optional<std::string>> by_family;
  std::optional<std::vector<std::string>> foreign_drop_chains;
  bool operator==(const TableListings&) const = default;
};

/// The listings stored at `path`; nullopt when absent, unreadable or malformed in any way.
std::optional<TableListings> LoadTableListings(const std::string& path);
/// Stores them atomically (mode 0600); best effort: without the file the next process lists again.
void StoreTableListings(const std::string& path, const TableListings& listings);

}  // namespace berth::drivers::lnx
