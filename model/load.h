// Entry points of the model layer: read manifest files and directories, parse, select a node, validate.
// Pure apart from reading files; never logs, returns every diagnostic of the run together.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::model {

struct LoadOptions {
  std::optional<std::string> node;  // --node: keep documents for this node and those without spec.node
};

struct LoadResult {
  Manifest manifest;        // meaningful only when !HasErrors(diagnostics)
  Diagnostics diagnostics;  // parse errors, per-document errors and cross-resource errors, in file order
  std::vector<std::string> files;  // the files read, in the order read
};

/// Reads files and directories (recursively: *.yaml and *.yml in sorted order, skipping dot-directories),
/// parses every document, selects the node's documents and validates them, per document and across resources.
LoadResult LoadManifests(const std::vector<std::string>& paths, const LoadOptions& options = {});

/// Parses and validates YAML text as if read from `file`; used by tests and by LoadManifests.
LoadResult LoadManifestText(const std::string& text, const std::string& file, const LoadOptions& options = {});

}  // namespace berth::model
