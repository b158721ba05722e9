// A strict walker over yaml-cpp nodes: mappings accept only known keys, every key once, every value with the
// expected type. It records the span of each field it meets and reports problems as diagnostics, never throws.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/field_keys.h"
#include "model/manifest.h"

namespace berth::model {

/// Where the diagnostics and field spans of one document go while it is parsed.
class ParseContext {
 public:
  ParseContext(std::string file, Diagnostics& diagnostics, FieldSpans& fields)
      : file_(std::move(file)), diagnostics_(diagnostics), fields_(fields) {}

  /// yaml-cpp marks are 0-based; spans are 1-based.
  SourceSpan SpanOf(const YAML::Mark& mark) const { return {file_, mark.line + 1, mark.column + 1}; }
  void Error(std::string code, std::string field, SourceSpan span, std::string summary);
  void RecordField(const std::string& path, const SourceSpan& span) { fields_.emplace(path, span); }
  int errors() const { return errors_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  Diagnostics& diagnostics_;
  FieldSpans& fields_;
  int errors_ = 0;
};

/// A value met in a document, with its field path and the span diagnostics about it point at: the value itself
/// for scalars; the key for mappings, sequences and missing values (a block mapping starts on the next line).
struct Value {
  YAML::Node node;
  std::string path;
  SourceSpan span;
  SourceSpan key_span;  // the key that introduced it; for sequence items, the item itself
};

/// A mapping whose keys have been checked: unknown keys (with a suggestion) and repeated keys are reported when
/// it is opened, and the span of every accepted key present is recorded.
class MappingReader {
 public:
  /// Reports wrong-type and returns nullopt unless `value` is a mapping.
  static std::optional<MappingReader> Open(ParseContext& ctx, const Value& value, const KeyList& keys);
  /// Like Open, for mappings whose keys are the user's (metadata.labels): only repeated keys are reported.
  static std::optional<MappingReader> OpenAnyKeys(ParseContext& ctx, const Value& value);

  /// The value of `key` (its first occurrence), or nullopt when absent.
  std::optional<Value> Get(std::string_view key) const;
  /// Like Get, but reports missing-field (at this mapping's key) when absent.
  std::optional<Value> Require(std::string_view key) const;
  bool Has(std::string_view key) const { return Get(key).has_value(); }
  const Value& self() const { return self_; }
  std::string PathOf(std::string_view key) const;
  /// The accepted entries, first occurrences, in document order.
  const std::vector<Value>& entries() const { return entries_; }

 private:
  MappingReader(ParseContext& ctx, Value self) : ctx_(&ctx), self_(std::move(self)) {}
  static std::optional<MappingReader> OpenChecked(ParseContext& ctx, const Value& value, const KeyList* keys);
  ParseContext* ctx_;
  Value self_;
  std::vector<Value> entries_;  // accepted keys, first occurrences, in document order
};

/// The value as a string; wrong-type for mappings, sequences, nulls and plain scalars that YAML reads as another
/// type (numbers, booleans): `name: 0755` or `name: true` must be quoted, as the JSON Schema demands too.
std::optional<std::string> ReadString(ParseContext& ctx, const Value& value);
/// A plain integer (YAML 1.2 core: decimal, 0o octal, 0x hex); wrong-type for quoted numbers and the rest.
std::optional<int64_t> ReadInteger(ParseContext& ctx, const Value& value);
/// true or false (also True/TRUE, False/FALSE); wrong-type for anything else: YAML 1.2 reads yes/no as strings.
std::optional<bool> ReadBool(ParseContext& ctx, const Value& value);
/// The items of a sequence, with paths "path[i]" and their spans recorded; wrong-type unless a sequence.
std::optional<std::vector<Value>> ReadSequence(ParseContext& ctx, const Value& value);

/// Reports wrong-type at `value`: "expected <expected>, got <what it is>".
void ReportWrongType(ParseContext& ctx, const Value& value, std::string_view expected);

/// Name of the YAML type as users see it: "a mapping", "a list", "a string", "nothing".
std::string DescribeNode(const YAML::Node& node);

}  // namespace berth::model
