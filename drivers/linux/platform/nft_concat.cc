// Anonymous dnat maps and target sets: element grammar, canonical order, and the order of a listed rule.
#include "drivers/linux/platform/nft_concat.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "drivers/linux/platform/nft_words.h"

namespace berth::reconciler::linux_res {
namespace {

using Key = std::tuple<uint32_t, unsigned, unsigned>;

/// A port as nft prints it: 1-65535, no leading zero.
bool Port(std::string_view w, unsigned& out) { return nft_words::Decimal(w, 65535, out) && out > 0; }

/// Splits "a . b : c" on single spaces into at most N words; false when there are more or an empty one.
template <size_t N>
bool SplitWords(std::string_view text, std::array<std::string_view, N>& out, size_t& count) {
  count = 0;
  for (size_t at = 0; at <= text.size();) {
    size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    if (end == at || count == N) return false;
    out[count++] = text.substr(at, end - at);
    at = end + 1;
  }
  return true;
}

/// The key of one element in `form`; nullopt when the element is not in that form.
std::optional<Key> KeyOf(std::string_view element, ConcatForm form) {
  std::array<std::string_view, 7> w;
  size_t n = 0;
  if (!SplitWords(element, w, n)) return std::nullopt;
  uint32_t address = 0;
  unsigned port = 0, to_port = 0;
  if (form == ConcatForm::kDnatMap) {
    const unsigned proto = n == 7 ? ProtocolNumber(w[0]) : 0;
    if (!proto || w[1] != "." || !Port(w[2], port) || w[3] != ":" || !nft_words::Ipv4Value(w[4], address) ||
        w[5] != "." || !Port(w[6], to_port))
      return std::nullopt;
    return Key{proto, port, 0};
  }
  const unsigned proto = n == 5 ? ProtocolNumber(w[2]) : 0;
  if (!proto || !nft_words::Ipv4Value(w[0], address) || w[1] != "." || w[3] != "." || !Port(w[4], port))
    return std::nullopt;
  return Key{address, proto, port};
}

/// The elements of "{ a, b }"; false when the word is not such a list.
bool Elements(std::string_view word, std::vector<std::string_view>& out) {
  if (!word.starts_with("{ ") || !word.ends_with(" }") || word.size() < 5) return false;
  std::string_view body = word.substr(2, word.size() - 4);
  for (size_t at = 0; at <= body.size();) {
    size_t end = body.find(", ", at);
    if (end == std::string_view::npos) end = body.size();
    out.push_back(body.substr(at, end - at));
    at = end + 2;
  }
  return true;
}

std::string Join(const std::vector<std::string_view>& elements) {
  std::string out = "{ ";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i) out += ", ";
    out += elements[i];
  }
  return out + " }";
}

/// `elements` sorted by key; unparsable ones last, in their order.
void SortByKey(std::vector<std::string_view>& elements, ConcatForm form) {
  std::vector<std::pair<std::optional<Key>, std::string_view>> keyed;
  keyed.reserve(elements.size());
  for (std::string_view e : elements) keyed.emplace_back(KeyOf(e, form), e);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
    return a.first && *a.first < *b.first;
  });
  for (size_t i = 0; i < keyed.size(); ++i) elements[i] = keyed[i].second;
}

}  // namespace

unsigned ProtocolNumber(std::string_view name) {
  return name == "tcp" ? 6 : name == "udp" ? 17 : name == "sctp" ? 132 : 0;
}

std::string ProtocolName(unsigned number) {
  return number == 6 ? "tcp" : number == 17 ? "udp" : number == 132 ? "sctp" : "";
}

std::optional<std::string> ConcatListError(std::string_view word, ConcatForm form) {
  std::vector<std::string_view> elements;
  if (!Elements(word, elements)) return "expected a list \"{ ... }\"";
  const char* shape = form == ConcatForm::kDnatMap ? "PROTOCOL . PORT : ADDRESS . PORT" : "ADDRESS . PROTOCOL . PORT";
  std::optional<Key> last;
  for (std::string_view e : elements) {
    auto key = KeyOf(e, form);
    if (!key) return "an element is not " + std::string(shape) + ": '" + std::string(e.substr(0, 60)) + "'";
    if (last && !(*last < *key)) return "elements out of order or repeated at '" + std::string(e.substr(0, 60)) + "'";
    last = key;
  }
  return std::nullopt;
}

std::string ConcatList(std::vector<std::string> elements, ConcatForm form) {
  std::vector<std::string_view> views(elements.begin(), elements.end());
  SortByKey(views, form);
  views.erase(std::unique(views.begin(), views.end()), views.end());
  return Join(views);
}

std::string CanonicalRuleText(std::string_view rule) {
  if (rule.find(" . ") == std::string_view::npos) return std::string(rule);  // the common case: nothing to sort
  std::string out;
  size_t at = 0;
  for (size_t open; (open = rule.find("{ ", at)) != std::string_view::npos;) {
    size_t close = rule.find(" }", open);
    if (close == std::string_view::npos) break;
    const std::string_view word = rule.substr(open, close + 2 - open);
    out.append(rule.substr(at, open - at));
    std::vector<std::string_view> elements;
    if (word.find(" . ") != std::string_view::npos && Elements(word, elements)) {
      SortByKey(elements, word.find(" : ") != std::string_view::npos ? ConcatForm::kDnatMap : ConcatForm::kTargetSet);
      out += Join(elements);
    } else {
      out.append(word);
    }
    at = close + 2;
  }
  out.append(rule.substr(at));
  return out;
}

}  // namespace berth::reconciler::linux_res
