// Entry points of the model layer: read manifest files and directories, parse, select a node, validate.
// Pure apart from reading files; never logs, returns every diagnostic of the run together.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::model {

/// Parsed files kept between loads by a long-running caller (berth watch): a file whose text is unchanged is
/// not parsed again. Keyed by path; compared by content, so no timestamp can fool it. Not thread-safe.
class ParseCache {
 public:
  ParseCache();
  ~ParseCache();
  ParseCache(const ParseCache&) = delete;
  ParseCache& operator=(const ParseCache&) = delete;

 private:
  friend struct ParseCacheAccess;
  struct Entries;
  std::unique_ptr<Entries> entries_;
};

struct LoadOptions {
  std::optional<std::string> node;  // --node: keep documents for this node and those without spec.node
  ParseCache* cache = nullptr;      // reuse and remember parsed files (files no longer read are forgotten)
  /// Read manifests others could change (a group- or world-writable file, or such a directory on its way
  /// without the sticky bit); refused by default (--allow-unsafe-manifests).
  bool allow_unsafe_paths = false;
  /// The platform the manifests are for ("linux", "freebsd"): its rules apply too (a Jail on Linux is an
  /// error). Absent: no platform rules (berth validate without --platform).
  std::optional<std::string> platform = std::nullopt;
};

/// The largest manifest file read (unreadable-file beyond): 16 MiB, far past any real manifest.
inline constexpr size_t kMaxManifestBytes = 16u << 20;

struct LoadResult {
  Manifest manifest;        // meaningful only when !HasErrors(diagnostics)
  Diagnostics diagnostics;  // parse errors, per-document errors and cross-resource errors, in file order
  std::vector<std::string> files;  // the files read, in the order read
  size_t documents = 0;            // documents read, every node's
  size_t filtered_out = 0;         // documents left out by LoadOptions::node (their spec.node names another)
  std::vector<std::string> nodes;  // the node names spec.node gives, sorted, each once
};

/// Reads files and directories (recursively: *.yaml and *.yml in sorted order, skipping dot-directories),
/// parses every document, selects the node's documents and validates them, per document and across resources.
LoadResult LoadManifests(const std::vector<std::string>& paths, const LoadOptions& options = {});

/// Parses and validates YAML text as if read from `file`; used by tests and by LoadManifests.
LoadResult LoadManifestText(const std::string& text, const std::string& file, const LoadOptions& options = {});

}  // namespace berth::model
