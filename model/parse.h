// Per-document parsing: YAML text to typed records, checking each document on its own (syntax, keys, types,
// value formats, rules between fields of one document). Cross-resource rules live in validate.h.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::model {

/// One document of a known kind. Documents with errors are kept (Document::valid is false) so that
/// references to their names still resolve during validation.
using ParsedDocument = std::variant<Bridge, Nat, Vm, Jail>;

struct ParsedFile {
  std::string file;
  std::vector<ParsedDocument> documents;  // in file order; documents of unknown kind are dropped
  Diagnostics diagnostics;
  bool syntax_ok = true;  // false: the YAML did not parse, so the file contributes no documents
};

/// Parses every document of `text`, read from `file`. Empty documents (a lone "---") are skipped.
ParsedFile ParseManifestText(const std::string& text, const std::string& file);

const Document& DocumentOf(const ParsedDocument& document);

}  // namespace berth::model
