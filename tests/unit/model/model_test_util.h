// Helpers for model tests: load YAML text and look at the diagnostics by code, field and position.
#pragma once

#include <string>
#include <vector>

#include "model/load.h"

namespace berth::model::testing {

/// Loads `text` as the file "test.yaml".
inline LoadResult Load(const std::string& text, LoadOptions options = {}) {
  return LoadManifestText(text, "test.yaml", options);
}

/// "code field line:column" per diagnostic, in order: one string shows a mismatch whole.
inline std::vector<std::string> Summaries(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics)
    out.push_back(d.code + " " + (d.field.empty() ? "-" : d.field) + " " + std::to_string(d.span.line) + ":" +
                  std::to_string(d.span.column));
  return out;
}

inline std::vector<std::string> Codes(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) out.push_back(d.code);
  return out;
}

/// A document header for `kind` and `name`; append "spec:" lines after it.
inline std::string Header(const std::string& kind, const std::string& name) {
  return "apiVersion: berth/v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n";
}

/// A valid bridge document, 10.168.0.1/24 unless told otherwise.
inline std::string BridgeDoc(const std::string& name = "br0", const std::string& address = "10.168.0.1/24") {
  return Header("Bridge", name) + "spec:\n  address: " + address + "\n";
}

}  // namespace berth::model::testing
