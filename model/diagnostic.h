// Diagnostic: one user-facing problem with a manifest, with its location and the field it concerns.
// Parsing and validation gather every diagnostic of a run before failing (Terraform's tfdiags).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/source_span.h"

namespace berth::model {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;     // stable identifier, e.g. "unknown-field", "subnet-overlap"
  std::string field;    // field path, e.g. "spec.network.address"; empty for document-level problems
  std::string summary;  // one line, e.g. "unknown field \"adress\" (did you mean \"address\"?)"
  std::string detail;   // optional longer explanation
  SourceSpan span;

  /// "file:line:column: error: field: summary"
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

inline bool HasErrors(const Diagnostics& ds) {
  for (const auto& d : ds)
    if (d.severity == Severity::kError) return true;
  return false;
}

}  // namespace berth::model
