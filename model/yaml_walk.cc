// Strict walking of yaml-cpp nodes. yaml-cpp accepts repeated keys silently and converts scalars loosely
// ("80" to 80, "yes" to true), so this file checks keys pair by pair and types by the scalar's text and tag.
#include "model/yaml_walk.h"

#include <charconv>

#include "model/scalar_text.h"
#include "model/suggest.h"

namespace berth::model {
namespace {

// yaml-cpp tags: "?" for plain scalars, "!" for quoted ones; explicit tags keep their resolved name.
constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }
bool IsStringTagged(const YAML::Node& node) { return node.Tag() == "!" || node.Tag() == kStrTag; }

// Plain scalars that the YAML 1.2 core schema (yaml-cpp, editors) resolves to booleans, numbers or null.
// Quoting them is what makes them strings; accepting them unquoted would let berth and the JSON Schema disagree.
bool LooksLikeNull(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// An integer as the YAML 1.2 core schema reads it: decimal (leading zeros allowed), 0o octal or 0x hex.
std::optional<int64_t> ParseYamlInteger(const std::string& s) {
  if (!LooksLikeInteger(s)) return std::nullopt;
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (digits.starts_with("0o") || digits.starts_with("0x")) {
    base = digits[1] == 'o' ? 8 : 16;
    digits.remove_prefix(2);
  } else if (digits[0] == '+' || digits[0] == '-') {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return negative ? -v : v;
}

void WrongType(ParseContext& ctx, const Value& value, std::string_view expected, std::string_view hint = "") {
  std::string summary = "expected " + std::string(expected) + ", got " + DescribeNode(value.node);
  if (!hint.empty()) summary += " (" + std::string(hint) + ")";
  ctx.Error("wrong-type", value.path, value.span, summary);
}

}  // namespace

void ParseContext::Error(std::string code, std::string field, SourceSpan span, std::string summary) {
  ++errors_;
  Diagnostic d;
  d.code = std::move(code);
  d.field = std::move(field);
  d.summary = std::move(summary);
  d.span = std::move(span);
  diagnostics_.push_back(std::move(d));
}

void ReportWrongType(ParseContext& ctx, const Value& value, std::string_view expected) {
  WrongType(ctx, value, expected);
}

std::string DescribeNode(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (!IsPlain(node) && !IsStringTagged(node)) {
    // An explicit tag (!!binary, !!int, !custom) makes a value of that type, not a string.
    std::string tag = node.Tag();
    if (tag.starts_with("tag:yaml.org,2002:")) tag = "!!" + tag.substr(std::string_view("tag:yaml.org,2002:").size());
    if (tag.size() > 40) tag = tag.substr(0, 40) + "...";
    return "a value tagged " + tag;
  }
  if (!IsPlain(node)) return "a string";
  const std::string& s = node.Scalar();
  if (LooksLikeBool(s)) return "a boolean (" + s + ")";
  if (LooksLikeNumber(s)) return "a number (" + s + ")";
  return "a string";
}

std::optional<MappingReader> MappingReader::Open(ParseContext& ctx, const Value& value, const KeyList& keys) {
  return OpenChecked(ctx, value, &keys);
}

std::optional<MappingReader> MappingReader::OpenAnyKeys(ParseContext& ctx, const Value& value) {
  return OpenChecked(ctx, value, nullptr);
}

// `keys` null: any key is accepted.
std::optional<MappingReader> MappingReader::OpenChecked(ParseContext& ctx, const Value& value, const KeyList* keys) {
  if (!value.node.IsMap()) {
    WrongType(ctx, value, "a mapping");
    return std::nullopt;
  }
  MappingReader reader(ctx, value);
  std::map<std::string, int> first_line;
  for (auto it = value.node.begin(); it != value.node.end(); ++it) {
    const YAML::Node key = it->first;  // the iterator yields a temporary pair
    const YAML::Node item = it->second;
    SourceSpan key_span = ctx.SpanOf(key.Mark());
    if (!key.IsScalar()) {
      ctx.Error("wrong-type", value.path, key_span, "keys must be strings, got " + DescribeNode(key));
      continue;
    }
    const std::string& name = key.Scalar();
    std::string path = reader.PathOf(ShortToken(name));  // the field path quotes the key: at most a token
    if (auto seen = first_line.find(name); seen != first_line.end()) {
      ctx.Error("duplicate-key", path, key_span,
                "key " + QuoteToken(name) + " is given twice (first on line " + std::to_string(seen->second) + ")");
      continue;
    }
    first_line.emplace(name, key_span.line);
    if (keys && std::find(keys->begin(), keys->end(), name) == keys->end()) {
      ctx.Error("unknown-field", path, key_span, "unknown field " + QuoteToken(name) + DidYouMean(name, *keys));
      continue;
    }
    SourceSpan span = item.IsScalar() ? ctx.SpanOf(item.Mark()) : key_span;
    ctx.RecordField(path, span);
    reader.entries_.push_back(Value{item, std::move(path), std::move(span), key_span});
  }
  return reader;
}

std::string MappingReader::PathOf(std::string_view key) const {
  return self_.path.empty() ? std::string(key) : self_.path + "." + std::string(key);
}

std::optional<Value> MappingReader::Get(std::string_view key) const {
  std::string path = PathOf(key);
  for (const Value& entry : entries_)
    if (entry.path == path) return entry;
  return std::nullopt;
}

std::optional<Value> MappingReader::Require(std::string_view key) const {
  auto value = Get(key);
  if (!value)
    ctx_->Error("missing-field", PathOf(key), self_.key_span, "missing required field \"" + std::string(key) + "\"");
  return value;
}

std::optional<std::string> ReadString(ParseContext& ctx, const Value& value) {
  const YAML::Node& node = value.node;
  if (node.IsScalar()) {
    if (IsStringTagged(node)) return node.Scalar();
    const std::string& s = node.Scalar();
    if (IsPlain(node) && !LooksLikeBool(s) && !LooksLikeNumber(s) && !LooksLikeNull(s)) return s;
    if (IsPlain(node)) {
      WrongType(ctx, value, "a string", "quote it: \"" + s + "\"");
      return std::nullopt;
    }
  }
  WrongType(ctx, value, "a string");
  return std::nullopt;
}

std::optional<int64_t> ReadInteger(ParseContext& ctx, const Value& value) {
  const YAML::Node& node = value.node;
  if (node.IsScalar() && IsPlain(node))
    if (auto v = ParseYamlInteger(node.Scalar())) return v;
  const bool quoted_number = node.IsScalar() && IsStringTagged(node) && ParseYamlInteger(node.Scalar());
  WrongType(ctx, value, "an integer", quoted_number ? "remove the quotes" : "");
  return std::nullopt;
}

std::optional<bool> ReadBool(ParseContext& ctx, const Value& value) {
  const YAML::Node& node = value.node;
  if (node.IsScalar() && IsPlain(node)) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  WrongType(ctx, value, "true or false");
  return std::nullopt;
}

std::optional<std::vector<Value>> ReadSequence(ParseContext& ctx, const Value& value) {
  if (!value.node.IsSequence()) {
    WrongType(ctx, value, "a list");
    return std::nullopt;
  }
  std::vector<Value> items;
  for (size_t i = 0; i < value.node.size(); ++i) {
    YAML::Node item = value.node[i];
    std::string path = value.path + "[" + std::to_string(i) + "]";
    SourceSpan span = ctx.SpanOf(item.Mark());
    if (item.IsNull()) span = value.key_span;  // an empty item's mark is wherever the next token starts
    ctx.RecordField(path, span);
    items.push_back(Value{item, std::move(path), span, span});
  }
  return items;
}

}  // namespace berth::model
