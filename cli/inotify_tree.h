// Watches manifest paths for changes with inotify: directories recursively (new subdirectories join),
// files replaced by rename as `git pull` does them, and single files through their parent directory.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace berth::cli {

class InotifyTree {
 public:
  /// False when inotify is unavailable.
  bool Init(const std::vector<std::string>& paths);
  int fd() const { return fd_; }
  /// Reads pending events; true when any concerns a manifest (*.yaml, *.yml) or a directory.
  bool Drain();
  ~InotifyTree();

 private:
  void AddDir(const std::string& dir);
  int fd_ = -1;
  std::map<int, std::string> dirs_;  // watch descriptor -> directory
};

}  // namespace berth::cli
