// Drop counters: each drop rule of a VM's policy chains carries an anonymous counter; the chain says the VM
// and, with the rule, the reason (reconciler::linux_res::ClassifyDrop).
#include "drivers/linux/policy_drops.h"

#include <nftables/libnftables.h>

#include <cerrno>
#include <regex>
#include <sstream>

#include "drivers/linux/nft_layout.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::lnx {

void ParsePolicyDrops(const std::string& listing, const std::string& family, PolicyDrops& drops) {
  static const std::regex kCounter(R"(counter packets (\d+) bytes \d+ )");
  std::istringstream in(listing);
  std::string chain;
  for (std::string line; std::getline(in, line);) {
    size_t a = line.find_first_not_of(" \t");
    if (a == std::string::npos) continue;
    line = line.substr(a);
    if (line.starts_with("chain ") && line.ends_with("{")) {
      chain = ChainAttr(family, line.substr(6, line.size() - 8));
      continue;
    }
    std::smatch m;
    if (chain.empty() || !std::regex_search(line, m, kCounter)) continue;
    const std::string rule = line.substr(0, m.position(0)) + "counter " + m.suffix().str();
    const std::string without_comment = rule.substr(0, rule.find(" comment \""));
    auto drop = reconciler::linux_res::ClassifyDrop(chain, without_comment);
    if (drop.reason.empty()) continue;
    drops[drop.vm][drop.reason] += std::stoull(m[1].str());
  }
}

Result<PolicyDrops, OsError> ReadPolicyDrops() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return OsFail(ENOMEM, "nft_ctx_new");
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  PolicyDrops drops;
  for (const char* family : kFamilies) {
    const std::string cmd = "list table " + std::string(family) + " " + std::string(reconciler::kNftTable);
    if (nft_run_cmd_from_buffer(ctx, cmd.c_str()) != 0) continue;  // no such table: nothing dropped there
    ParsePolicyDrops(nft_ctx_get_output_buffer(ctx), family, drops);
  }
  nft_ctx_free(ctx);
  return drops;
}

}  // namespace berth::drivers::lnx
