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

/// "code field" per diagnostic, for tests where positions are beside the point.
inline std::vector<std::string> CodesAndFields(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) out.push_back(d.code + " " + (d.field.empty() ? "-" : d.field));
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

/// A VM document on `bridge`; `extra` adds lines under spec.network (indented by four spaces).
inline std::string VmDoc(const std::string& name, const std::string& bridge = "br0", const std::string& extra = "") {
  return Header("VM", name) + "spec:\n  network:\n    bridge: " + bridge + "\n" + extra;
}

/// Joins documents with "---".
inline std::string Docs(const std::vector<std::string>& documents) {
  std::string out;
  for (const std::string& d : documents) out += (out.empty() ? "" : "---\n") + d;
  return out;
}

}  // namespace berth::model::testing
