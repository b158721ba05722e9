#include "model/scalar_text.h"

namespace berth::model {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// True when `s` is non-empty and every character passes `ok`.
template <typename Pred>
bool AllOf(std::string_view s, Pred ok) {
  if (s.empty()) return false;
  for (char c : s)
    if (!ok(c)) return false;
  return true;
}

/// Advances `i` over digits; returns how many.
size_t Digits(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i - start;
}

bool LooksLikeFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string_view rest = s.substr(i);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (Digits(s, i) == 0) return false;
  } else {
    if (Digits(s, i) == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      Digits(s, i);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (Digits(s, i) == 0) return false;
  }
  return i == s.size();
}

}  // namespace

bool LooksLikeBool(std::string_view s) {
  return s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE";
}

bool LooksLikeInteger(std::string_view s) {
  if (s.starts_with("0o") && AllOf(s.substr(2), IsOctal)) return true;
  if (s.starts_with("0x") && AllOf(s.substr(2), IsHex)) return true;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return AllOf(s, IsDigit);
}

bool LooksLikeNumber(std::string_view s) { return LooksLikeInteger(s) || LooksLikeFloat(s); }

bool IsLabelKey(std::string_view s) {
  if (s.empty() || s.size() > 253 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s)
    if (!IsAlnum(c) && c != '.' && c != '_' && c != '/' && c != '-') return false;
  return true;
}

}  // namespace berth::model
