// Parsing of one YAML text: documents, their common part (apiVersion, kind, metadata, spec.node) and dispatch
// to the kind's spec parser. yaml-cpp exceptions are caught here and nowhere else.

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>

#include "model/naming.h"
#include "model/parse.h"
#include "model/parse_kinds.h"
#include "model/parse_values.h"
#include "model/suggest.h"
#include "model/scalar_text.h"
#include "model/yaml_walk.h"

namespace berth::model {
namespace {

/// Counts documents and ignores everything else.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

/// yaml-cpp 0.7's LoadAll loops forever, allocating, on some malformed texts (a document that consumes no
/// token is reported again and again; fixed upstream after 0.8). A text holds at most one document more than
/// it has "---" and "..." markers, so the documents are counted first and a text that yields more is refused.
/// Throws YAML::Exception like LoadAll for a syntax error.
bool DocumentCountIsSane(const std::string& text) {
  size_t markers = 1;
  for (const char* m : {"---", "..."})
    for (size_t at = text.find(m); at != std::string::npos; at = text.find(m, at + 3)) ++markers;
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (size_t documents = 0; parser.HandleNextDocument(counter);)
    if (++documents > markers) return false;
  return true;
}

// Label keys follow the Kubernetes shape (an optional DNS prefix and '/'), so labels can be shared with it:
// see IsLabelKey.

void ParseMetadata(ParseContext& ctx, const MappingReader& root, const std::string& kind, Metadata& metadata) {
  auto value = root.Require("metadata");
  if (!value) return;
  auto reader = MappingReader::Open(ctx, *value, keys::kMetadata);
  if (!reader) return;
  if (auto name_value = reader->Require("name")) {
    if (auto name = ReadString(ctx, *name_value)) {
      CheckResourceName(ctx, kind, *name_value, *name);
      metadata.name = *name;
    }
  }
  auto labels_value = reader->Get("labels");
  if (!labels_value) return;
  auto labels = MappingReader::OpenAnyKeys(ctx, *labels_value);
  if (!labels) return;
  for (const Value& label : labels->entries()) {
    std::string key = label.path.substr(labels_value->path.size() + 1);
    if (!IsLabelKey(key)) {
      ctx.Error("invalid-label-key", label.path, label.key_span,
                "label key \"" + key +
                    "\" must be letters, digits, '.', '_', '-' and '/', starting and ending with "
                    "a letter or digit");
      continue;
    }
    if (auto text = ReadString(ctx, label)) metadata.labels[key] = *text;  // values are free text
  }
}

void ParseSpec(ParseContext& ctx, const MappingReader& spec, Document& doc, ParsedDocument& record) {
  if (auto node_value = spec.Get("node")) {
    if (auto node = ReadString(ctx, *node_value)) {
      if (IsSafeName(*node, /*allow_dot_underscore=*/true)) {
        doc.node = *node;
      } else {
        ctx.Error("invalid-name", node_value->path, node_value->span,
                  "node " + QuoteToken(*node) + " is not a host name (lower-case letters, digits, '-', '.', '_')");
      }
    }
  }
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Bridge>) ParseBridgeSpec(ctx, spec, r);
        if constexpr (std::is_same_v<T, Nat>) ParseNatSpec(ctx, spec, r);
        if constexpr (std::is_same_v<T, Vm>) ParseVmSpec(ctx, spec, r);
        if constexpr (std::is_same_v<T, Jail>) ParseJailSpec(ctx, spec, r);
      },
      record);
}

const KeyList* SpecKeysOf(const std::string& kind) {
  if (kind == "Bridge") return &keys::kBridgeSpec;
  if (kind == "NAT") return &keys::kNatSpec;
  if (kind == "VM") return &keys::kVmSpec;
  if (kind == "Jail") return &keys::kJailSpec;
  return nullptr;
}

std::optional<ParsedDocument> MakeRecord(const std::string& kind) {
  if (kind == "Bridge") return Bridge{};
  if (kind == "NAT") return Nat{};
  if (kind == "VM") return Vm{};
  if (kind == "Jail") return Jail{};
  return std::nullopt;
}

Document& MutableDocumentOf(ParsedDocument& record) {
  return std::visit([](auto& r) -> Document& { return r.doc; }, record);
}

// Reads one document. Returns nullopt when its kind is missing or unknown: nothing else of it can be checked.
std::optional<ParsedDocument> ParseDocument(const YAML::Node& root, const std::string& file, Diagnostics& out) {
  Document doc;
  ParseContext ctx(file, out, doc.fields);
  doc.span = ctx.SpanOf(root.Mark());
  if (root.IsMap()) {
    // A mapping with neither apiVersion nor kind is some other file (a symlinked secret, a config file): one
    // error for the document, not one per key, which would quote its content line by line.
    bool manifest_like = false;
    for (auto it = root.begin(); it != root.end() && !manifest_like; ++it)
      manifest_like = it->first.IsScalar() && (it->first.Scalar() == "apiVersion" || it->first.Scalar() == "kind");
    if (!manifest_like) {
      ctx.Error("not-a-manifest", "", doc.span, "the document has neither apiVersion nor kind: not a berth manifest");
      return std::nullopt;
    }
  }
  auto reader = MappingReader::Open(ctx, Value{root, "", doc.span, doc.span}, keys::kDocument);
  if (!reader) return std::nullopt;

  if (auto value = reader->Require("apiVersion")) {
    auto api = ReadString(ctx, *value);
    if (api && *api != kApiVersion)
      ctx.Error("unsupported-api-version", value->path, value->span,
                "apiVersion " + QuoteToken(*api) + " is not supported; use " + kApiVersion);
  }
  std::optional<ParsedDocument> record;
  if (auto value = reader->Require("kind")) {
    if (auto kind = ReadString(ctx, *value)) {
      record = MakeRecord(*kind);
      if (record)
        doc.kind = *kind;
      else
        ctx.Error("unknown-kind", value->path, value->span,
                  "unknown kind " + QuoteToken(*kind) + "; berth/v1 has Bridge, NAT, VM and Jail" + DidYouMean(*kind, kKinds));
    }
  }
  ParseMetadata(ctx, *reader, doc.kind, doc.metadata);
  auto spec_value = reader->Require("spec");
  if (!record) return std::nullopt;
  if (spec_value) {
    if (auto spec = MappingReader::Open(ctx, *spec_value, *SpecKeysOf(doc.kind))) ParseSpec(ctx, *spec, doc, *record);
  }
  doc.valid = ctx.errors() == 0;
  MutableDocumentOf(*record) = std::move(doc);
  return record;
}

}  // namespace

const Document& DocumentOf(const ParsedDocument& document) {
  return std::visit([](const auto& r) -> const Document& { return r.doc; }, document);
}

ParsedFile ParseManifestText(const std::string& text, const std::string& file) {
  ParsedFile parsed;
  parsed.file = file;
  try {
    if (!DocumentCountIsSane(text)) throw YAML::ParserException(YAML::Mark::null_mark(), "the parser makes no progress");
    for (const YAML::Node& root : YAML::LoadAll(text)) {
      if (root.IsNull()) continue;  // "---" with nothing after it, or a file of comments
      if (auto document = ParseDocument(root, file, parsed.diagnostics))
        parsed.documents.push_back(std::move(*document));
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp stops at the first syntax error, so the whole file contributes nothing but this diagnostic.
    Diagnostic d;
    d.code = "yaml-syntax";
    d.summary = "YAML syntax error: " + e.msg;
    d.span = SourceSpan{file, e.mark.line + 1, e.mark.column + 1};
    parsed.diagnostics = {d};
    parsed.documents.clear();
    parsed.syntax_ok = false;
  }
  return parsed;
}

}  // namespace berth::model
