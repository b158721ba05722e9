// Files only berth's own user may touch: the state directory's records and the apply lock. Directories are
// made 0700 whatever the umask; symlinks and files owned by anyone else are refused; writes are atomic.
#pragma once

#include <string>

#include "model/result.h"

namespace berth::reconciler {

/// The largest record read from a private directory: far past any real allocations or inventory file.
inline constexpr size_t kMaxPrivateFileBytes = 64u << 20;

/// Makes `dir` (and missing parents) with mode 0700, umask notwithstanding. An existing `dir` must be a real
/// directory (not a symlink), owned by the effective uid, and writable by no one else; otherwise an error.
Status<> EnsurePrivateDir(const std::string& dir);

/// The content of `path` (opened with O_NOFOLLOW): a regular file owned by the effective uid, at most
/// kMaxPrivateFileBytes. `missing` is set (and "" returned) when the file does not exist.
Result<std::string> ReadPrivateFile(const std::string& path, bool& missing);

/// Replaces `path` atomically: a temporary file beside it (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), written,
/// fsynced, renamed over `path`, and the directory fsynced. A crash leaves the old or the new content.
Status<> WritePrivateFileAtomically(const std::string& path, const std::string& content);

/// The atomic replacement itself, in an existing directory the caller has checked: the temporary file gets
/// exactly `mode` (umask notwithstanding) before it is renamed over `path`.
Status<> WriteFileAtomically(const std::string& path, const std::string& content, unsigned mode);

}  // namespace berth::reconciler
