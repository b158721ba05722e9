// InotifyTree. Watching directories (not files) is what makes rename-replacement visible: the new file
// arrives as IN_MOVED_TO in its directory, and a watch on the old file's inode would see nothing.
#ifdef __linux__
#include "cli/inotify_tree.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace berth::cli {
namespace {
constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
                           IN_MOVE_SELF | IN_ATTRIB;

bool Relevant(const std::string& name) {
  return name.ends_with(".yaml") || name.ends_with(".yml");
}
}  // namespace

bool InotifyTree::Init(const std::vector<std::string>& paths) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return false;
  namespace fs = std::filesystem;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) AddDir(p);
    else AddDir(fs::path(p).parent_path().empty() ? "." : fs::path(p).parent_path().string());
  }
  return true;
}

void InotifyTree::AddDir(const std::string& dir) {
  namespace fs = std::filesystem;
  if (fs::path(dir).filename().string().starts_with(".") && dir != "." && dir != "..") return;  // .git and friends
  int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) return;
  dirs_[wd] = dir;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec)) AddDir(entry.path().string());
}

bool InotifyTree::Drain() {
  bool relevant = false;
  alignas(inotify_event) char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return relevant;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      std::string name = ev->len ? ev->name : "";
      if (ev->mask & IN_Q_OVERFLOW) relevant = true;
      if (ev->mask & IN_IGNORED) {
        dirs_.erase(ev->wd);
        continue;
      }
      auto dir = dirs_.find(ev->wd);
      if (dir == dirs_.end()) continue;
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
        AddDir(dir->second + "/" + name);
        relevant = true;
      } else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_ISDIR)) {
        relevant = true;
      } else if (Relevant(name)) {
        relevant = true;
      }
    }
  }
}

InotifyTree::~InotifyTree() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace berth::cli
#endif  // __linux__
