// The word classes of berth's nftables rule text; see nft_words.h.
#include "drivers/linux/platform/nft_words.h"

#include <charconv>

#include "drivers/linux/platform/nft_concat.h"
#include "model/parse_values.h"

namespace berth::reconciler::linux_res::nft_words {

bool Decimal(std::string_view w, unsigned max, unsigned& out) {
  if (w.empty() || w.size() > 5 || (w.size() > 1 && w[0] == '0')) return false;
  out = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + unsigned(c - '0');
  }
  return out <= max;
}

bool IsCount(std::string_view w, uint64_t min, uint64_t max) {
  if (w.empty() || w.size() > 19 || (w.size() > 1 && w[0] == '0')) return false;
  uint64_t value = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + uint64_t(c - '0');
  }
  return value >= min && value <= max;
}

bool Ipv4Value(std::string_view w, uint32_t& out) {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? w.find('.') : w.size();
    unsigned octet = 0;
    if (dot == std::string_view::npos || !Decimal(w.substr(0, dot), 255, octet)) return false;
    out = (out << 8) | octet;
    w.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  return true;
}

bool IsIpv4(std::string_view w) {
  uint32_t value = 0;
  return Ipv4Value(w, value);
}

bool IsCidr(std::string_view w) {
  size_t slash = w.find('/');
  uint32_t value = 0;
  unsigned prefix = 0;
  if (slash == std::string_view::npos || !Ipv4Value(w.substr(0, slash), value) ||
      !Decimal(w.substr(slash + 1), 32, prefix))
    return false;
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (value & ~mask) == 0;
}

bool IsQuotedIfname(std::string_view w) {
  if (w.size() < 3 || w.front() != '"' || w.back() != '"') return false;
  std::string_view name = w.substr(1, w.size() - 2);
  return name.size() <= 15 && model::IsInterfaceName(name);
}

bool IsPort(std::string_view w) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), value);
  return !w.empty() && w[0] != '0' && ec == std::errc() && end == w.data() + w.size() && value <= 65535;
}

bool IsPortRange(std::string_view w) {
  size_t dash = w.find('-');
  if (dash == std::string_view::npos) return IsPort(w);
  return IsPort(w.substr(0, dash)) && IsPort(w.substr(dash + 1));
}

bool IsMac(std::string_view w) {
  if (w.size() != 17) return false;
  for (size_t i = 0; i < 17; ++i) {
    const char c = w[i];
    const bool ok = i % 3 == 2 ? c == ':' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!ok) return false;
  }
  return true;
}

bool IsProtocolList(std::string_view w) {
  if (!w.starts_with("{ ") || !w.ends_with(" }")) return false;
  std::string_view body = w.substr(2, w.size() - 4);
  unsigned last = 0, count = 0;
  for (size_t at = 0; at <= body.size(); ++count) {
    size_t end = body.find(", ", at);
    if (end == std::string_view::npos) end = body.size();
    const unsigned number = ProtocolNumber(body.substr(at, end - at));
    if (number <= last) return false;
    last = number;
    at = end + 2;
  }
  return count >= 2;
}

WordList Words(std::string_view text) {
  WordList out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(i).starts_with("{ ")) {
      size_t close = text.find(" }", i);
      end = close == std::string_view::npos ? text.size() : close + 2;
    }
    if (out.size == kMaxWords) {
      out.overflow = true;
      break;
    }
    out.words[out.size++] = text.substr(i, end - i);
    i = end + 1;
  }
  return out;
}

}  // namespace berth::reconciler::linux_res::nft_words
