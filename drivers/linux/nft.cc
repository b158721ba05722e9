// nftables through libnftables. Every write replaces the whole table in one buffer ("add table; delete
// table; table {...}"), so it is atomic, works whether or not the table exists, and never duplicates rules.
#include "drivers/linux/nft.h"
#include "drivers/linux/conntrack.h"
#include "drivers/linux/nft_in_place.h"
#include "drivers/linux/nft_layout.h"

#include <nftables/libnftables.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/nft_concat.h"
#include "drivers/linux/platform/ownership.h"
#include "model/net.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;
using Kind = reconciler::DriverError::Kind;

constexpr std::string_view kCommentPrefix = " comment \"berth:";

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

/// nft reports failures as text; recover the errno it names so DriverError kinds stay meaningful.
int ErrnoFromNftMessage(const std::string& msg) {
  static const int kKnown[] = {ENOENT, EEXIST, EOPNOTSUPP, EPERM, EBUSY, EAGAIN, ENOBUFS, EPROTONOSUPPORT,
                               EAFNOSUPPORT, ENOMEM, EACCES};
  for (int e : kKnown) {
    if (msg.find(std::strerror(e)) != std::string::npos) return e;
  }
  return EINVAL;  // a syntax or semantic error in the ruleset
}

/// A listed line without the "# handle N" nft appends to rules, chains and sets when asked for handles.
std::string WithoutHandle(const std::string& line) {
  const size_t at = line.rfind(" # handle ");
  if (at == std::string::npos || line.find_first_not_of("0123456789", at + 10) != std::string::npos) return line;
  return line.substr(0, at);
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!Trim(line).empty()) out.push_back(Trim(line));
  }
  return out;
}

}  // namespace

NftTableState ParseNftListing(const std::string& listing) {
  NftTableState st;
  ParseNftListingInto(listing, "inet", st);
  return st;
}

void ParseNftListingInto(const std::string& listing, const std::string& family, NftTableState& st) {
  st.exists = true;
  std::istringstream in(listing);
  std::string chain, set, elements;
  int depth = 0;  // braces open in an "elements = {" text that spans lines
  auto take_elements = [&] {
    size_t open = elements.find('{'), close = elements.rfind('}');
    if (open == std::string::npos || close == std::string::npos || close < open) return;
    for (const std::string& item : SplitElements(std::string_view(elements).substr(open + 1, close - open - 1))) {
      size_t at = item.find(kCommentPrefix);
      if (at == std::string::npos) continue;  // not berth's: the next rewrite removes it
      size_t end = item.find('"', at + kCommentPrefix.size());
      if (end == std::string::npos) continue;
      std::string group = item.substr(at + kCommentPrefix.size(), end - at - kCommentPrefix.size());
      std::string element = item.substr(0, at) + item.substr(end + 1);
      st.groups[group][lr::kElements].push_back(family + " " + set + " " + element);
    }
  };
  for (std::string raw; std::getline(in, raw);) {
    std::string line = Trim(WithoutHandle(raw));
    if (depth > 0) {
      elements += " " + line;
      for (char c : line) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth == 0) take_elements();
      continue;
    }
    if (line.empty() || line.starts_with("table ")) continue;
    if ((line.starts_with("set ") || line.starts_with("map ")) && line.ends_with("{")) {
      set = Trim(line.substr(4, line.size() - 5));
      continue;
    }
    if (!set.empty()) {
      if (line == "}") set.clear();
      if (line.starts_with("elements = {")) {
        elements = line;
        depth = 0;
        for (char c : line) depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        if (depth == 0) take_elements();
      }
      continue;
    }
    if (line.starts_with("chain ") && line.ends_with("{")) {
      chain = ChainAttr(family, Trim(line.substr(6, line.size() - 7)));
      continue;
    }
    if (line == "}") {
      chain.clear();
      continue;
    }
    if (!chain.empty() && line.starts_with("type ")) {
      st.chains[chain] = line;
      continue;
    }
    if (chain.empty() || line.starts_with("policy ")) continue;
    size_t at = line.rfind(kCommentPrefix);
    if (at == std::string::npos || !line.ends_with("\"")) continue;
    std::string group = line.substr(at + kCommentPrefix.size());
    group.pop_back();
    st.groups[group][chain].push_back(lr::CanonicalRuleText(std::string_view(line).substr(0, at)));
  }
  // Listings print elements in the set's order; groups compare them sorted.
  for (auto& [group, g] : st.groups)
    if (auto it = g.find(lr::kElements); it != g.end()) std::sort(it->second.begin(), it->second.end());
}

std::string NftChainsAttr(const NftTableState& state) {
  std::string out;
  for (const auto& [name, header] : state.chains) out += (out.empty() ? "" : "\n") + name + ": " + header;
  return out;
}

std::string ExpectedNftChains() {
  NftTableState st;
  for (const auto& c : BaseChains()) st.chains[ChainAttr(c.family, c.name)] = c.header;
  return NftChainsAttr(st);
}

std::string RenderNftTable(const NftTableState& state) {
  std::string out;
  for (const char* family : kFamilies) {
    const std::string table = std::string(family) + " " + std::string(reconciler::kNftTable);
    out += "add table " + table + "\ndelete table " + table + "\n";
  }
  if (!state.exists) return out;
  for (const char* family : kFamilies) {
    out += "table " + std::string(family) + " " + std::string(reconciler::kNftTable) + " {\n";
    // Regular chains first (the maps' verdicts and the base chains jump to them), then sets, then base chains.
    std::map<std::string, std::string> regular;
    std::map<std::string, std::vector<std::string>> elements;
    for (const auto& [group, chains] : state.groups) {
      for (const auto& [attr, lines] : chains) {
        if (attr == lr::kElements) {
          for (const std::string& line : lines) {
            size_t a = line.find(' '), b = line.find(' ', a + 1);
            if (b == std::string::npos || line.substr(0, a) != family) continue;
            elements[line.substr(a + 1, b - a - 1)].push_back(ElementWithComment(line.substr(b + 1), "berth:" + group));
          }
          continue;
        }
        std::string fam, chain;
        if (!SplitChainAttr(attr, fam, chain) || fam != family) continue;
        bool base = false;
        for (const auto& c : BaseChains()) base = base || (fam == c.family && chain == c.name);
        if (base) continue;
        for (const std::string& rule : lines) regular[chain] += "    " + rule + " comment \"berth:" + group + "\"\n";
      }
    }
    for (const auto& [chain, rules] : regular) out += "  chain " + chain + " {\n" + rules + "  }\n";
    for (const auto& set : Sets()) {
      if (std::string_view(set.family) != family) continue;
      out += std::string("  ") + (set.map() ? "map " : "set ") + set.name + " {\n    type " + set.type + "\n";
      if (auto it = elements.find(set.name); it != elements.end()) {
        out += "    elements = { ";
        for (size_t i = 0; i < it->second.size(); ++i) out += (i ? ",\n      " : "") + it->second[i];
        out += " }\n";
      }
      out += "  }\n";
    }
    for (const auto& chain : BaseChains()) {
      if (std::string_view(chain.family) != family) continue;
      const std::string attr = ChainAttr(chain.family, chain.name);
      out += "  chain " + std::string(chain.name) + " {\n    " + chain.header + "\n";
      for (const auto& [group, chains] : state.groups) {
        auto it = chains.find(attr);
        if (it == chains.end()) continue;
        for (const auto& rule : it->second) out += "    " + rule + " comment \"berth:" + group + "\"\n";
      }
      out += "  }\n";
    }
    out += "}\n";
  }
  return out;
}

NftBackend::NftBackend(std::string state_dir)
    : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)), cache_path_(state_dir.empty() ? "" : state_dir + "/nft-listing.json") {
  if (ctx_) {
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
}

NftBackend::~NftBackend() {
  if (ctx_) nft_ctx_free(ctx_);
}

Result<std::string, OsError> NftBackend::Run(const std::string& cmd, bool json, bool handles) {
  if (!ctx_) return OsFail(ENOMEM, "nft_ctx_new");
  // Stateless: counter values would make every listing differ.
  unsigned flags = NFT_CTX_OUTPUT_STATELESS | (json ? NFT_CTX_OUTPUT_JSON : 0) | (handles ? NFT_CTX_OUTPUT_HANDLE : 0);
  nft_ctx_output_set_flags(ctx_, flags);
  int rc = nft_run_cmd_from_buffer(ctx_, cmd.c_str());
  std::string out = nft_ctx_get_output_buffer(ctx_);
  std::string err = nft_ctx_get_error_buffer(ctx_);
  if (rc != 0) {
    std::string first = err.substr(0, err.find('\n'));
    return OsFail(ErrnoFromNftMessage(err), "nft", first.empty() ? "failed" : first);
  }
  return out;
}

Result<NftTableState, OsError> NftBackend::Read() {
  std::lock_guard lock(mu_);
  return ReadLocked();
}

Result<NftTableState, OsError> NftBackend::ReadLocked() {
  auto listed = ListTablesLocked();
  if (!listed) return Unexpected<OsError>{listed.error()};
  NftTableState st;
  for (const auto& [family, text] : *listed)
    if (text) ParseNftListingInto(*text, family, st);
  return st;
}

// The generation moves with every committed change in the namespace, by berth or anyone else: listings read at
// the current stamp are exactly what a listing now would print. A listing is kept only when the stamp did not
// move while it was read (the two tables are listed one after the other).
const TableListings* NftBackend::RecallLocked(const std::optional<RulesetStamp>& stamp) {
  if (!stamp) return nullptr;
  if ((!listings_ || listings_->stamp != *stamp) && !cache_path_.empty()) {
    auto stored = LoadTableListings(cache_path_);
    if (stored && stored->stamp == *stamp) listings_ = std::move(stored);
  }
  return listings_ && listings_->stamp == *stamp ? &*listings_ : nullptr;
}

Result<std::map<std::string, std::optional<std::string>>, OsError> NftBackend::ListTablesLocked() {
  const std::optional<RulesetStamp> before = probe_.Stamp();
  if (const TableListings* known = RecallLocked(before)) return known->by_family;
  TableListings fresh;
  for (const char* family : kFamilies) {
    // With handles: the in-place update (nft_in_place.h) finds its rules in this same listing.
    auto out = Run("list table " + std::string(family) + " " + std::string(reconciler::kNftTable), false, true);
    if (!out) {
      if (out.error().err != ENOENT) return Unexpected<OsError>{out.error()};
      fresh.by_family[family] = std::nullopt;
      continue;
    }
    fresh.by_family[family] = std::move(*out);
  }
  const std::optional<RulesetStamp> after = probe_.Stamp();
  if (before && after && *before == *after) {
    fresh.stamp = *after;
    listings_ = fresh;
    if (!cache_path_.empty()) StoreTableListings(cache_path_, fresh);
  }
  return fresh.by_family;
}

namespace {

/// A VM's policy rules changed or went: its tracked connections go too, so replies of a connection opened
/// under the old policy stop passing unjudged. Any change counts (a widening-only change also starts afresh).
void ForgetNarrowedConnections(const std::vector<Job*>& jobs) {
  for (const Job* job : jobs) {
    if (job->failed() || job->key().kind != lr::kNft || !job->key().name.starts_with("vm/") ||
        job->op() == reconciler::Op::kCreate)
      continue;
    const std::string* elements = job->res().Attr(lr::kElements);
    if (!elements) continue;
    for (const std::string& line : SplitLines(*elements)) {
      if (!line.starts_with("inet vms ")) continue;
      auto ip = model::Ipv4::Parse(line.substr(9));
      if (ip) (void)DeleteConntrackFrom(ip->value);  // best effort: the rules already judge every packet
    }
  }
}

}  // namespace

void NftBackend::Apply(std::vector<Job*>& jobs) {
  std::lock_guard lock(mu_);
  // One transaction either way. The append fails as a whole when the table or a chain is missing (the
  // plan's view was stale): then the whole-table rewrite below makes it right.
  if (OnlyNewVmGroups(jobs) && Run(RenderAppend(jobs), false)) return;
  if (ApplyInPlaceLocked(jobs)) return;
  auto listing = ReadLocked();
  if (!listing) {
    for (Job* j : jobs) j->Fail(listing.error());
    return;
  }
  NftTableState st = std::move(*listing);
  const bool existed = st.exists;
  bool table_deleted = false;
  for (Job* job : jobs) {
    const auto& r = job->res();
    if (r.key.kind == lr::kNftTable) {
      if (r.key.name != reconciler::kNftTable) {
        job->Fail(Kind::kInvalid, "berth owns only table inet " + std::string(reconciler::kNftTable));
        continue;
      }
      table_deleted = job->op() == reconciler::Op::kDelete;
      st.exists = !table_deleted;
      if (table_deleted) st.groups.clear();
      continue;
    }
    if (job->op() == reconciler::Op::kDelete) {
      st.groups.erase(r.key.name);
      continue;
    }
    NftGroup g;
    for (const auto& [attr, text] : r.attrs)
      if (IsRuleAttr(attr)) g[attr] = SplitLines(text);
    st.groups[r.key.name] = std::move(g);  // replaces: adding a group twice never duplicates its rules
    st.exists = !table_deleted;
  }
  if (!st.exists && !existed) return;  // deleting absent tables: nothing to do
  if (auto w = Run(RenderNftTable(st), false); !w) {
    for (Job* j : jobs) j->Fail(w.error());
  }
}

bool NftBackend::ApplyInPlaceLocked(const std::vector<Job*>& jobs) {
  auto chains = InPlaceChains(jobs);
  if (!chains) return false;
  // The listing the plan was made from, when nothing changed since (the ruleset's stamp), else a new one.
  auto tables = ListTablesLocked();
  if (!tables) return false;
  std::map<std::string, std::map<std::string, GroupHandles>> by_family;
  for (const auto& [family, text] : *tables)
    if (text) by_family[family] = ParseChainHandles(*text);
  std::map<ChainRef, GroupHandles> listed;
  for (const ChainRef& ref : *chains)
    listed[ref] = by_family[ref.first][ref.second];  // a chain the table lacks holds none of the group's rules
  auto replaces = RenderReplaces(jobs, listed);
  if (!replaces) return false;
  std::vector<Job*> created;
  for (Job* job : jobs)
    if (job->op() == reconciler::Op::kCreate) created.push_back(job);
  return static_cast<bool>(Run(RenderAppend(created) + *replaces, false));
}

Result<std::vector<std::string>, OsError> NftBackend::ForeignDropChains() {
  std::lock_guard lock(mu_);
  // Listing every chain of every table costs as much as listing berth's: kept with the tables' listings, at
  // the same stamp.
  const std::optional<RulesetStamp> before = probe_.Stamp();
  if (const TableListings* known = RecallLocked(before); known && known->foreign_drop_chains)
    return *known->foreign_drop_chains;
  auto found = ListForeignDropChainsLocked();
  if (found && listings_ && before && listings_->stamp == *before && probe_.Stamp() == before) {
    listings_->foreign_drop_chains = *found;
    if (!cache_path_.empty()) StoreTableListings(cache_path_, *listings_);
  }
  return found;
}

Result<std::vector<std::string>, OsError> NftBackend::ListForeignDropChainsLocked() {
  auto out = Run("list chains", true);
  if (!out) return Unexpected<OsError>{out.error()};
  std::vector<std::string> found;
  auto doc = nlohmann::json::parse(*out, nullptr, false);
  if (doc.is_discarded() || !doc.contains("nftables")) return found;
  for (const auto& item : doc["nftables"]) {
    if (!item.contains("chain")) continue;
    const auto& c = item["chain"];
    if (c.value("hook", "") != "forward" || c.value("policy", "") != "drop") continue;
    const std::string family = c.value("family", ""), table = c.value("table", "");
    if ((family == "inet" || family == "bridge") && table == reconciler::kNftTable) continue;
    found.push_back("table " + family + " " + table + " chain " + c.value("name", "") + " (policy drop)");
  }
  return found;
}

void ApplyNft(Env& env, std::vector<Job*>& jobs) {
  env.nft->Apply(jobs);
  ForgetNarrowedConnections(jobs);
}

}  // namespace berth::drivers::lnx
