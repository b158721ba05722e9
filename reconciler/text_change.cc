// Describing a change of a long attribute; see text_change.h.
#include "reconciler/text_change.h"

#include <algorithm>
#include <map>

namespace berth::reconciler {
namespace {

constexpr size_t kShortValue = 160;

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

/// A line cut into text and lists: "a { x, y } b" is "a ", [x, y], " b".
struct Pieces {
  std::vector<std::string_view> texts;                // one more than lists
  std::vector<std::vector<std::string_view>> lists;  // the elements of each "{ ... }"
};

Pieces Cut(std::string_view line) {
  Pieces p;
  size_t at = 0;
  for (size_t open; (open = line.find("{ ", at)) != std::string_view::npos;) {
    const size_t close = line.find(" }", open + 2);
    if (close == std::string_view::npos) break;
    p.texts.push_back(line.substr(at, open - at));
    std::vector<std::string_view> elements;
    const std::string_view body = line.substr(open + 2, close - open - 2);
    for (size_t e = 0; e <= body.size();) {
      size_t stop = body.find(", ", e);
      if (stop == std::string_view::npos) stop = body.size();
      elements.push_back(body.substr(e, stop - e));
      e = stop + 2;
    }
    p.lists.push_back(std::move(elements));
    at = close + 2;
  }
  p.texts.push_back(line.substr(at));
  return p;
}

/// The text of a line outside its lists: "a { x } b" -> "a {} b".
std::string Skeleton(std::string_view line) {
  const Pieces p = Cut(line);
  std::string out(p.texts[0]);
  for (size_t i = 1; i < p.texts.size(); ++i) out += "{}" + std::string(p.texts[i]);
  return out;
}

/// `a` without the items of `b` (as multisets, in `a`'s order).
std::vector<std::string_view> Minus(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::map<std::string_view, int> count;
  for (std::string_view x : b) ++count[x];
  std::vector<std::string_view> out;
  for (std::string_view x : a) {
    if (auto it = count.find(x); it != count.end() && it->second > 0) {
      --it->second;
      continue;
    }
    out.push_back(x);
  }
  return out;
}

/// The "~" item of two lines that differ only inside their lists; empty when they differ elsewhere.
std::vector<std::string> ListChange(std::string_view before, std::string_view after) {
  const Pieces b = Cut(before), a = Cut(after);
  if (b.texts != a.texts || b.lists.empty()) return {};
  std::string shown = "~ ";
  std::vector<std::string> elements;
  for (size_t i = 0; i < a.lists.size(); ++i) {
    shown += a.texts[i];
    const auto gone = Minus(b.lists[i], a.lists[i]), added = Minus(a.lists[i], b.lists[i]);
    if (gone.empty() && added.empty()) {
      shown += "{ ";
      for (size_t e = 0; e < a.lists[i].size(); ++e) shown += std::string(e ? ", " : "") + std::string(a.lists[i][e]);
      shown += " }";
      continue;
    }
    shown += "{ ... }";
    for (std::string_view x : gone) elements.push_back("    - " + std::string(x));
    for (std::string_view x : added) elements.push_back("    + " + std::string(x));
  }
  shown += a.texts.back();
  elements.insert(elements.begin(), shown);
  return elements;
}

}  // namespace

bool IsShortValue(std::string_view value) {
  return value.size() <= kShortValue && value.find('\n') == std::string_view::npos;
}

std::vector<std::string> DescribeTextChange(std::string_view before, std::string_view after) {
  const auto b = Lines(before), a = Lines(after);
  const auto gone = Minus(b, a), added = Minus(a, b);
  // A line that became another one only in its lists is paired with it: both have the same text outside
  // their lists (the skeleton), so added lines are looked up by that, each taken once.
  std::multimap<std::string, size_t> by_skeleton;
  for (size_t i = 0; i < added.size(); ++i)
    if (added[i].find("{ ") != std::string_view::npos) by_skeleton.emplace(Skeleton(added[i]), i);
  std::vector<std::string> out;
  std::vector<bool> paired(added.size(), false);
  for (std::string_view line : gone) {
    auto it = line.find("{ ") == std::string_view::npos ? by_skeleton.end() : by_skeleton.find(Skeleton(line));
    auto change = it == by_skeleton.end() ? std::vector<std::string>{} : ListChange(line, added[it->second]);
    if (change.empty()) {
      out.push_back("- " + std::string(line));
      continue;
    }
    paired[it->second] = true;
    by_skeleton.erase(it);
    out.insert(out.end(), change.begin(), change.end());
  }
  for (size_t i = 0; i < added.size(); ++i)
    if (!paired[i]) out.push_back("+ " + std::string(added[i]));
  return out;
}

}  // namespace berth::reconciler
