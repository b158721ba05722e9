// Where something came from in a manifest: file, 1-based line and column.
// Every parsed object and every diagnostic carries one, so errors and plan steps can name file:line:column.
#pragma once

#include <string>

namespace berth::model {

struct SourceSpan {
  std::string file;
  int line = 0;    // 1-based; 0 means unknown
  int column = 0;  // 1-based; 0 means unknown

  bool known() const { return line > 0; }
  /// "file:line:column", or just "file" when the position is unknown.
  std::string ToString() const {
    if (!known()) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  friend bool operator==(const SourceSpan&, const SourceSpan&) = default;
};

}  // namespace berth::model
