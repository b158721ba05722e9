// Loading manifests: expand paths into files, parse each, select the node's documents, validate them across
// resources, and return every diagnostic in file order.
#include "model/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "model/parse.h"
#include "model/result.h"
#include "model/validate.h"
#include "model/validate_platform.h"

namespace berth::model {
namespace {

namespace fs = std::filesystem;

Diagnostic FileError(const std::string& path, std::string summary) {
  Diagnostic d;
  d.code = "unreadable-file";
  d.summary = std::move(summary);
  d.span = SourceSpan{path, 0, 0};
  return d;
}

// Extensions compare without case: "VM.YAML" is as much a manifest as "vm.yaml".
bool IsManifestFile(const fs::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".yaml" || ext == ".yml";
}

// The manifest files under `dir`, in sorted order. Dot-entries (.git/, .github/, editor swap files) are not
// manifests, and recursing into .git would be slow and surprising.
std::vector<fs::path> FilesUnder(const fs::path& dir, Diagnostics& out) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    // Every test below takes an error code: the throwing forms abort on a symlink loop (ELOOP) or an entry
    // that vanished meanwhile. Symlinked directories are not followed, so a loop cannot recurse.
    std::error_code entry_ec;
    if (entry.path().filename().string().starts_with(".")) {
      if (entry.is_directory(entry_ec)) it.disable_recursion_pending();
      continue;
    }
    if (!IsManifestFile(entry.path())) continue;
    const bool regular = entry.is_regular_file(entry_ec);
    if (entry_ec) out.push_back(FileError(entry.path().string(), "cannot read file: " + entry_ec.message()));
    else if (regular) files.push_back(entry.path());
  }
  if (ec) out.push_back(FileError(dir.string(), "cannot read directory: " + ec.message()));
  std::sort(files.begin(), files.end());  // element-wise, so "a/b.yaml" sorts with "a", not after "a-c.yaml"
  return files;
}

std::vector<fs::path> ExpandPaths(const std::vector<std::string>& paths, Diagnostics& out) {
  std::vector<fs::path> files;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& file) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(file, ec);
    if (seen.insert(ec ? file : canonical).second) files.push_back(file);  // a file named twice is read once
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      const std::vector<fs::path> under = FilesUnder(path, out);
      if (under.empty()) {  // a typo'd or not yet checked-out directory would otherwise validate as "nothing"
        Diagnostic d = FileError(path, "no manifests here (no *.yaml or *.yml files below this directory)");
        d.severity = Severity::kWarning;
        d.code = "no-manifests";
        out.push_back(std::move(d));
      }
      for (const fs::path& file : under) add(file);
    } else if (fs::exists(path, ec)) {
      add(path);
    } else {
      out.push_back(FileError(path, "no such file or directory"));
    }
  }
  return files;
}

/// The file's text, or why it cannot be a manifest. Only regular files, and at most kMaxManifestBytes: a FIFO
/// would block forever and /dev/zero never ends. O_NONBLOCK keeps the open itself from waiting for a writer.
Result<std::string> ReadManifestFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return Fail(std::string("cannot read file: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Fail(std::string("cannot read file: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Fail("not a regular file (a manifest must be one)");
  if (st.st_size > off_t(kMaxManifestBytes))
    return Fail("file is " + std::to_string(st.st_size) + " bytes; a manifest may have at most " +
                             std::to_string(kMaxManifestBytes));
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(std::string("cannot read file: ") + std::strerror(errno));
    if (n == 0) break;
    text.append(buf, size_t(n));
    if (text.size() > kMaxManifestBytes)  // grew while being read
      return Fail("file has more than " + std::to_string(kMaxManifestBytes) + " bytes");
  }
  return text;
}

/// Why `path` could be changed by someone other than its owner: the file or a directory on its way (as given
/// and as resolved) is group- or world-writable, a directory without the sticky bit. Nullopt when safe.
std::optional<std::string> UnsafePath(const fs::path& path) {
  std::error_code ec;
  const fs::path given = fs::absolute(path, ec).lexically_normal();
  const fs::path real = fs::canonical(path, ec);
  struct stat st {};
  if (!ec && ::stat(real.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
    return "the file is group- or world-writable";
  for (const fs::path& start : {given.parent_path(), ec ? fs::path() : real.parent_path()}) {
    for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
      if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) &&
          !(st.st_mode & S_ISVTX))
        return "directory " + dir.string() + " is group- or world-writable without the sticky bit";
      if (dir == dir.root_path()) break;
    }
  }
  return std::nullopt;
}

bool Selected(const Document& doc, const std::optional<std::string>& node) {
  return !node || !doc.node || *doc.node == *node;
}

Manifest SelectNode(const std::vector<ParsedFile>& files, const std::optional<std::string>& node) {
  Manifest manifest;
  for (const ParsedFile& file : files) {
    for (const ParsedDocument& document : file.documents) {
      if (!Selected(DocumentOf(document), node)) continue;
      std::visit(
          [&](const auto& r) {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, Bridge>) manifest.bridges.push_back(r);
            if constexpr (std::is_same_v<T, Nat>) manifest.nats.push_back(r);
            if constexpr (std::is_same_v<T, Vm>) manifest.vms.push_back(r);
            if constexpr (std::is_same_v<T, Jail>) manifest.jails.push_back(r);
          },
          document);
    }
  }
  return manifest;
}

// Without a node, a fleet repository is checked as each of its nodes sees it: two nodes may each have a
// bridge br0, but one node may not have two. Shared documents are seen by every node, so their problems are
// found once per node and deduplicated here.
Diagnostics ValidateEveryNode(const std::vector<ParsedFile>& files) {
  std::set<std::string> nodes;
  for (const ParsedFile& file : files)
    for (const ParsedDocument& document : file.documents)
      if (DocumentOf(document).node) nodes.insert(*DocumentOf(document).node);
  if (nodes.empty()) return ValidateManifest(SelectNode(files, std::nullopt));
  Diagnostics out;
  std::set<std::tuple<std::string, std::string, std::string, int, int, std::string>> seen;
  for (const std::string& node : nodes) {
    for (Diagnostic& d : ValidateManifest(SelectNode(files, node))) {
      if (seen.emplace(d.code, d.field, d.span.file, d.span.line, d.span.column, d.summary).second)
        out.push_back(std::move(d));
    }
  }
  return out;
}

void SortByFileOrder(Diagnostics& diagnostics, const std::vector<std::string>& order) {
  std::map<std::string, size_t> rank;
  for (const std::string& file : order) rank.emplace(file, rank.size());
  auto key = [&](const Diagnostic& d) {
    auto it = rank.find(d.span.file);
    // Paths that name no file come first: nothing after them is complete.
    return std::tuple(it == rank.end() ? 0 : it->second + 1, d.span.line, d.span.column);
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
}

LoadResult Finish(std::vector<ParsedFile> files, Diagnostics diagnostics, std::vector<std::string> order,
                  const LoadOptions& options) {
  LoadResult result;
  bool syntax_ok = true;
  for (ParsedFile& file : files) {
    syntax_ok = syntax_ok && file.syntax_ok;
    result.files.push_back(file.file);
    for (Diagnostic& d : file.diagnostics) diagnostics.push_back(std::move(d));
  }
  // A file that did not parse hides its documents; references to them would all look broken.
  if (syntax_ok) {
    Diagnostics cross = options.node ? ValidateManifest(SelectNode(files, options.node)) : ValidateEveryNode(files);
    for (Diagnostic& d : cross) diagnostics.push_back(std::move(d));
  }
  result.manifest = SelectNode(files, options.node);
  if (syntax_ok && options.platform)
    for (Diagnostic& d : ValidateForPlatform(result.manifest, *options.platform)) diagnostics.push_back(std::move(d));
  SortByFileOrder(diagnostics, order);
  std::set<std::string> nodes;
  for (const ParsedFile& file : files)
    for (const ParsedDocument& document : file.documents) {
      ++result.documents;
      if (DocumentOf(document).node) nodes.insert(*DocumentOf(document).node);
      if (!Selected(DocumentOf(document), options.node)) ++result.filtered_out;
    }
  result.nodes.assign(nodes.begin(), nodes.end());
  result.diagnostics = std::move(diagnostics);
  return result;
}

}  // namespace

struct ParseCache::Entries {
  std::map<std::string, std::pair<std::string, ParsedFile>> by_path;  // path -> (text, parsed)
};
ParseCache::ParseCache() : entries_(std::make_unique<Entries>()) {}
ParseCache::~ParseCache() = default;

struct ParseCacheAccess {
  static ParsedFile Parse(ParseCache* cache, std::map<std::string, std::pair<std::string, ParsedFile>>& next,
                          std::string text, const std::string& name) {
    if (!cache) return ParseManifestText(text, name);
    auto& old = cache->entries_->by_path;
    if (auto it = old.find(name); it != old.end() && it->second.first == text) {
      ParsedFile parsed = it->second.second;
      next.emplace(name, std::move(it->second));
      return parsed;
    }
    ParsedFile parsed = ParseManifestText(text, name);
    next.insert_or_assign(name, std::make_pair(std::move(text), parsed));
    return parsed;
  }
  static void Replace(ParseCache* cache, std::map<std::string, std::pair<std::string, ParsedFile>> next) {
    if (cache) cache->entries_->by_path = std::move(next);
  }
};

LoadResult LoadManifests(const std::vector<std::string>& paths, const LoadOptions& options) {
  Diagnostics diagnostics;
  std::vector<ParsedFile> files;
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::string, ParsedFile>> next_cache;
  for (const fs::path& path : ExpandPaths(paths, diagnostics)) {
    const std::string name = path.string();
    order.push_back(name);
    if (!options.allow_unsafe_paths) {
      if (auto why = UnsafePath(path)) {
        diagnostics.push_back(FileError(name, "refusing an unsafe manifest: " + *why +
                                                  ", so others could change what berth applies "
                                                  "(--allow-unsafe-manifests overrides)"));
        continue;
      }
    }
    auto text = ReadManifestFile(path);
    if (!text) {
      diagnostics.push_back(FileError(name, text.error().message));
      continue;
    }
    files.push_back(ParseCacheAccess::Parse(options.cache, next_cache, std::move(*text), name));
  }
  ParseCacheAccess::Replace(options.cache, std::move(next_cache));
  return Finish(std::move(files), std::move(diagnostics), std::move(order), options);
}

LoadResult LoadManifestText(const std::string& text, const std::string& file, const LoadOptions& options) {
  return Finish({ParseManifestText(text, file)}, {}, {file}, options);
}

}  // namespace berth::model
