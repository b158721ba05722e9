// berth's nftables tables (inet berth and bridge berth, one unit) through libnftables: read it back as rule groups, rewrite it whole in
// one transaction, and report foreign forward chains that drop. Rules are grouped by their comment
// "berth:<group>"; a group is the resource nft:/<group>.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/linux/apply.h"
#include "drivers/linux/nft_listing_cache.h"
#include "drivers/linux/os_util.h"

struct nft_ctx;

namespace berth::drivers::lnx {

/// Rules of one group by chain, each in nft's canonical listing form without the comment.
using NftGroup = std::map<std::string, std::vector<std::string>>;

struct NftTableState {
  bool exists = false;
  std::map<std::string, NftGroup> groups;
  std::map<std::string, std::string> chains;  // chain -> its header ("type nat hook ... policy accept;")
};

/// The nfttable resource's `chains` attribute: "NAME: HEADER" per base chain, sorted by name, one per line.
std::string NftChainsAttr(const NftTableState& state);
/// The `chains` text of the table as berth writes it.
std::string ExpectedNftChains();

/// Parses `nft -a list table inet berth` output (stateless; handles, if listed, ignored) into groups; rules without a berth
/// comment are dropped (the next rewrite removes them).
NftTableState ParseNftListing(const std::string& listing);
/// Adds the listing of `family`'s berth table (inet or bridge) to `st`: chains by their group attribute
/// (nft_layout.h), set elements under "elements".
void ParseNftListingInto(const std::string& listing, const std::string& family, NftTableState& st);
/// The whole-table replacement: works whether or not the table exists. `exists=false` deletes it.
std::string RenderNftTable(const NftTableState& state);

/// Serialises all nftables work of the process on one libnftables context.
class NftBackend {
 public:
  /// `state_dir` keeps the listings between processes (nft-listing.json); "" keeps them in memory only.
  explicit NftBackend(std::string state_dir = "");
  ~NftBackend();
  NftBackend(const NftBackend&) = delete;
  NftBackend& operator=(const NftBackend&) = delete;

  Result<NftTableState, OsError> Read();
  /// Applies the nfttable and nft jobs of a batch: reads the table, edits groups, writes it in one buffer.
  void Apply(std::vector<Job*>& jobs);
  /// "table ip filter chain FORWARD (policy drop)" for every foreign base chain on the forward hook that drops.
  Result<std::vector<std::string>, OsError> ForeignDropChains();

 private:
  /// Runs one command buffer; returns its output or an error with the errno nft's message names. `handles`:
  /// listings carry each rule's handle.
  Result<std::string, OsError> Run(const std::string& cmd, bool json, bool handles = false);
  /// Updates of rule groups as replaces by handle, with the batch's new per-VM groups, in one transaction
  /// (nft_in_place.h); false when the batch is not of that shape or the transaction failed. mu_ held.
  bool ApplyInPlaceLocked(const std::vector<Job*>& jobs);
  /// Both berth tables; exists when either does. mu_ held.
  Result<NftTableState, OsError> ReadLocked();

  /// The text of berth's tables, from `listings_` or the file while the ruleset's stamp is theirs. mu_ held.
  Result<std::map<std::string, std::optional<std::string>>, OsError> ListTablesLocked();
  /// The listings read at `stamp` (from memory or the state dir); null when none or `stamp` is unknown. mu_ held.
  const TableListings* RecallLocked(const std::optional<RulesetStamp>& stamp);
  Result<std::vector<std::string>, OsError> ListForeignDropChainsLocked();

  std::mutex mu_;
  nft_ctx* ctx_ = nullptr;
  RulesetProbe probe_;  // made with ctx_, in the same namespace
  std::string cache_path_;
  std::optional<TableListings> listings_;  // the last listings read at a known stamp
};

}  // namespace berth::drivers::lnx
