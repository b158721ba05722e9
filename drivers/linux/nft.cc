// nftables through libnftables. Every write replaces the whole table in one buffer ("add table; delete
// table; table {...}"), so it is atomic, works whether or not the table exists, and never duplicates rules.
#include "drivers/linux/nft.h"

#include <nftables/libnftables.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;
using Kind = reconciler::DriverError::Kind;

constexpr std::string_view kCommentPrefix = " comment \"berth:";

struct ChainSpec {
  const char* name;
  const char* header;
};
// Written in this order; listings print chains in creation order.
constexpr ChainSpec kChains[] = {
    {lr::kChainPrerouting, "type nat hook prerouting priority dstnat; policy accept;"},
    {lr::kChainForward, "type filter hook forward priority filter; policy accept;"},
    {lr::kChainPostrouting, "type nat hook postrouting priority srcnat; policy accept;"},
};

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
  st.exists = true;
  std::istringstream in(listing);
  std::string chain;
  for (std::string raw; std::getline(in, raw);) {
    std::string line = Trim(raw);
    if (line.empty() || line.starts_with("table ")) continue;
    if (line.starts_with("chain ") && line.ends_with("{")) {
      chain = Trim(line.substr(6, line.size() - 7));
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
    st.groups[group][chain].push_back(line.substr(0, at));
  }
  return st;
}

std::string NftChainsAttr(const NftTableState& state) {
  std::string out;
  for (const auto& [name, header] : state.chains) out += (out.empty() ? "" : "\n") + name + ": " + header;
  return out;
}

std::string ExpectedNftChains() {
  NftTableState st;
  for (const auto& c : kChains) st.chains[c.name] = c.header;
  return NftChainsAttr(st);
}

std::string RenderNftTable(const NftTableState& state) {
  const std::string table = "inet " + std::string(reconciler::kNftTable);
  std::string out = "add table " + table + "\ndelete table " + table + "\n";
  if (!state.exists) return out;
  out += "table " + table + " {\n";
  for (const auto& chain : kChains) {
    out += "  chain " + std::string(chain.name) + " {\n    " + chain.header + "\n";
    for (const auto& [group, chains] : state.groups) {
      auto it = chains.find(chain.name);
      if (it == chains.end()) continue;
      for (const auto& rule : it->second) out += "    " + rule + " comment \"berth:" + group + "\"\n";
    }
    out += "  }\n";
  }
  return out + "}\n";
}

NftBackend::NftBackend() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
  if (ctx_) {
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
}

NftBackend::~NftBackend() {
  if (ctx_) nft_ctx_free(ctx_);
}

Result<std::string, OsError> NftBackend::Run(const std::string& cmd, bool json) {
  if (!ctx_) return OsFail(ENOMEM, "nft_ctx_new");
  // Stateless: counter values would make every listing differ.
  unsigned flags = NFT_CTX_OUTPUT_STATELESS | (json ? NFT_CTX_OUTPUT_JSON : 0);
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
  auto out = Run("list table inet " + std::string(reconciler::kNftTable), false);
  if (!out) {
    if (out.error().err == ENOENT) return NftTableState{};
    return Unexpected<OsError>{out.error()};
  }
  return ParseNftListing(*out);
}

namespace {

/// Rules of new per-VM groups only. Those match nothing but their VM's address, so their place among other
/// per-VM groups does not matter, and "vm/" groups come after the "nat/" ones in the canonical order anyway:
/// they can be appended to the existing table instead of rewriting all of it.
bool OnlyNewVmGroups(const std::vector<Job*>& jobs) {
  for (const Job* job : jobs)
    if (job->key().kind != lr::kNft || job->op() != reconciler::Op::kCreate || !job->key().name.starts_with("vm/"))
      return false;
  return !jobs.empty();
}

std::string RenderAppend(const std::vector<Job*>& jobs) {
  const std::string table = "inet " + std::string(reconciler::kNftTable);
  std::string out;
  for (const Job* job : jobs)
    for (const auto& chain : kChains)
      if (auto* text = job->res().Attr(chain.name))
        for (const std::string& rule : SplitLines(*text))
          out += "add rule " + table + " " + chain.name + " " + rule + " comment \"berth:" + job->key().name + "\"\n";
  return out;
}

}  // namespace

void NftBackend::Apply(std::vector<Job*>& jobs) {
  std::lock_guard lock(mu_);
  // One transaction either way. The append fails as a whole when the table or a chain is missing (the
  // plan's view was stale): then the whole-table rewrite below makes it right.
  if (OnlyNewVmGroups(jobs) && Run(RenderAppend(jobs), false)) return;
  auto listing = Run("list table inet " + std::string(reconciler::kNftTable), false);
  NftTableState st;
  if (listing) {
    st = ParseNftListing(*listing);
  } else if (listing.error().err != ENOENT) {
    for (Job* j : jobs) j->Fail(listing.error());
    return;
  }
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
    for (const auto& chain : kChains) {
      if (auto* text = r.Attr(chain.name)) g[chain.name] = SplitLines(*text);
    }
    st.groups[r.key.name] = std::move(g);  // replaces: adding a group twice never duplicates its rules
    st.exists = !table_deleted;
  }
  if (!st.exists && !listing) return;  // deleting an absent table: nothing to do
  if (auto w = Run(RenderNftTable(st), false); !w) {
    for (Job* j : jobs) j->Fail(w.error());
  }
}

Result<std::vector<std::string>, OsError> NftBackend::ForeignDropChains() {
  std::lock_guard lock(mu_);
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
    if (family == "inet" && table == reconciler::kNftTable) continue;
    found.push_back("table " + family + " " + table + " chain " + c.value("name", "") + " (policy drop)");
  }
  return found;
}

void ApplyNft(Env& env, std::vector<Job*>& jobs) { env.nft->Apply(jobs); }

}  // namespace berth::drivers::lnx
