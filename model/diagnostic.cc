// Formatting of diagnostics for terminals and logs.
#include "model/diagnostic.h"

namespace berth::model {

std::string Diagnostic::ToString() const {
  std::string out = span.ToString();
  if (!out.empty()) out += ": ";
  out += severity == Severity::kError ? "error: " : "warning: ";
  if (!field.empty()) out += field + ": ";
  out += summary;
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

}  // namespace berth::model
