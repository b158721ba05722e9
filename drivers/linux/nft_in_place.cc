// berth's tables changed without rewriting them: new per-VM groups appended, updated groups replaced by
// handle; see nft_in_place.h.
#include "drivers/linux/nft_in_place.h"

#include <set>

#include "drivers/linux/nft_layout.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

/// The lines of a group's text, trimmed, blank ones dropped: as the whole-table rewrite splits it.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line = std::string_view(text).substr(at, end - at);
    at = end + 1;
    const size_t a = line.find_first_not_of(" \t"), b = line.find_last_not_of(" \t");
    if (a != std::string_view::npos) out.emplace_back(line.substr(a, b - a + 1));
  }
  return out;
}

bool IsUpdate(const Job& job) { return job.key().kind == lr::kNft && job.op() == reconciler::Op::kUpdate; }
bool IsNewVmGroup(const Job& job) {
  return job.key().kind == lr::kNft && job.op() == reconciler::Op::kCreate && job.key().name.starts_with("vm/");
}

/// The chain attributes of a group record (its set elements are not chains).
std::vector<std::string> ChainAttrs(const reconciler::Resource& r) {
  std::vector<std::string> out;
  for (const auto& [attr, text] : r.attrs)
    if (attr != lr::kElements && IsRuleAttr(attr)) out.push_back(attr);
  return out;
}

}  // namespace

bool OnlyNewVmGroups(const std::vector<Job*>& jobs) {
  for (const Job* job : jobs)
    if (!IsNewVmGroup(*job)) return false;
  return !jobs.empty();
}

std::string RenderAppend(const std::vector<Job*>& jobs) {
  const std::string table = " " + std::string(reconciler::kNftTable) + " ";
  std::string chains, rules, elements;
  for (const Job* job : jobs) {
    const std::string comment = "berth:" + job->key().name;
    for (const auto& [attr, text] : job->res().attrs) {
      if (attr == lr::kElements) {
        for (const std::string& line : Lines(text)) {
          size_t a = line.find(' '), b = line.find(' ', a + 1);
          if (b == std::string::npos) continue;
          elements += "add element " + line.substr(0, a) + table + line.substr(a + 1, b - a - 1) + " { " +
                      ElementWithComment(line.substr(b + 1), comment) + " }\n";
        }
        continue;
      }
      std::string family, chain;
      if (!SplitChainAttr(attr, family, chain)) continue;
      bool base = false;
      for (const auto& c : BaseChains()) base = base || (family == c.family && chain == c.name);
      if (!base) chains += "add chain " + family + table + chain + "\n";
      for (const std::string& rule : Lines(text))
        rules += "add rule " + family + table + chain + " " + rule + " comment \"" + comment + "\"\n";
    }
  }
  return chains + rules + elements;
}

std::map<std::string, GroupHandles> ParseChainHandles(const std::string& listing) {
  static constexpr std::string_view kComment = " comment \"berth:", kHandle = "\" # handle ";
  std::map<std::string, GroupHandles> out;
  std::string chain;
  for (const std::string& line : Lines(listing)) {
    if (line.starts_with("chain ")) {
      const size_t open = line.find(" {");
      chain = open == std::string::npos ? "" : line.substr(6, open - 6);
      continue;
    }
    const size_t handle = line.rfind(kHandle), comment = line.rfind(kComment, handle);
    if (chain.empty() || handle == std::string::npos || comment == std::string::npos) continue;
    const std::string group = line.substr(comment + kComment.size(), handle - comment - kComment.size());
    const std::string digits = line.substr(handle + kHandle.size());
    if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    uint64_t value = 0;
    for (char c : digits) value = value * 10 + uint64_t(c - '0');
    out[chain][group].push_back(value);
  }
  return out;
}

std::optional<std::vector<ChainRef>> InPlaceChains(const std::vector<Job*>& jobs) {
  std::set<ChainRef> chains;
  bool updates = false;
  for (const Job* job : jobs) {
    if (IsNewVmGroup(*job)) continue;
    if (!IsUpdate(*job) || !job->action->before) return std::nullopt;
    const reconciler::Resource& before = *job->action->before;
    if (before.AttrOr(lr::kElements) != job->res().AttrOr(lr::kElements)) return std::nullopt;
    updates = true;
    // The chains the group has now and those it had: a chain it leaves must be found empty of it.
    for (const reconciler::Resource* r : {&job->res(), &before}) {
      for (const std::string& attr : ChainAttrs(*r)) {
        std::string family, chain;
        if (!SplitChainAttr(attr, family, chain)) return std::nullopt;
        chains.insert({family, chain});
      }
    }
  }
  if (!updates) return std::nullopt;
  return std::vector<ChainRef>(chains.begin(), chains.end());
}

std::optional<std::string> RenderReplaces(const std::vector<Job*>& jobs, const std::map<ChainRef, GroupHandles>& listed) {
  const std::string table = " " + std::string(reconciler::kNftTable) + " ";
  std::string out;
  for (const Job* job : jobs) {
    if (!IsUpdate(*job)) continue;
    const std::string& group = job->key().name;
    for (const auto& [ref, handles] : listed) {
      const std::vector<std::string> rules = Lines(job->res().AttrOr(ChainAttr(ref.first, ref.second)));
      auto have = handles.find(group);
      const size_t count = have == handles.end() ? 0 : have->second.size();
      if (count != rules.size()) return std::nullopt;
      for (size_t i = 0; i < rules.size(); ++i)
        out += "replace rule " + ref.first + table + ref.second + " handle " + std::to_string(have->second[i]) + " " +
               rules[i] + " comment \"berth:" + group + "\"\n";
    }
  }
  return out;
}

}  // namespace berth::drivers::lnx
