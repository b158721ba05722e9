// LinuxChangeFeed: one epoll set over netlink multicast sockets (one per namespace, since a netlink socket
// belongs to the namespace it was created in), a netfilter socket for nftables changes, and an inotify watch
// on the netns directory to follow namespaces as they come and go.
#include "drivers/linux/change_feed.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <map>
#include <string>

#include "drivers/linux/netns.h"
#include "drivers/linux/platform/linux_names.h"

namespace berth::drivers::lnx {
namespace {

UniqueFd Subscribe(int protocol, std::initializer_list<unsigned> groups) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!fd.valid()) return fd;
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
  for (unsigned group : groups)
    if (::setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) return UniqueFd();
  return fd;
}

/// Links and addresses everywhere; tc (qdiscs, filters, actions) only inside berth's namespaces: berth puts
/// tc objects on a VM's eth0 and tap0 only, so a qdisc changing on a host device is never berth's and must
/// not cost a pass (a host shaping its own uplinks changes them often).
UniqueFd HostRouteSocket() { return Subscribe(NETLINK_ROUTE, {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR}); }
UniqueFd NetnsRouteSocket() { return Subscribe(NETLINK_ROUTE, {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_TC}); }

/// Reads and discards everything pending; true when anything was there (an overrun counts: look again).
/// read(), not recv(): the inotify descriptor is not a socket. Every descriptor here is non-blocking.
bool DrainFd(int fd) {
  bool any = false;
  alignas(8) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0 || (n < 0 && errno == ENOBUFS)) {
      any = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return any;
  }
}

class LinuxChangeFeed final : public reconciler::ChangeFeed {
 public:
  explicit LinuxChangeFeed(const LinuxDriverOptions& o) : netns_(o.netns_dir) {}

  bool Init() {
    epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
    host_ = HostRouteSocket();
    nft_ = Subscribe(NETLINK_NETFILTER, {NFNLGRP_NFTABLES});
    inotify_.Reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!epoll_.valid() || !host_.valid() || !inotify_.valid()) return false;
    // The netns directory may not exist yet on a fresh host; berth creates it with the first netns.
    ::mkdir(netns_.dir().c_str(), 0755);
    ::inotify_add_watch(inotify_.get(), netns_.dir().c_str(), IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM);
    for (int fd : {host_.get(), nft_.get(), inotify_.get()}) Watch(fd);
    reconciler::HostChanges ignored;  // the first pass reads everything
    FollowNamespaces(ignored);
    return true;
  }

  int fd() const override { return epoll_.get(); }

  reconciler::HostChanges Drain() override {
    reconciler::HostChanges changes;
    epoll_event events[64];
    // Bounded: a descriptor that cannot be drained must not spin the caller; the next call picks it up.
    for (int round = 0; round < 16; ++round) {
      int n = ::epoll_wait(epoll_.get(), events, 64, 0);
      if (n <= 0) break;
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == inotify_.get()) {
          DrainNetnsDir(changes);
        } else if (DrainFd(fd)) {
          changes.any = true;
          if (fd == nft_.get()) changes.firewall = true;
          if (auto it = scope_of_.find(fd); it != scope_of_.end()) changes.scopes.insert(it->second);
        }
      }
    }
    FollowNamespaces(changes);  // cheap: one readdir of a tmpfs directory
    return changes;
  }

 private:
  void Watch(int fd) {
    if (fd < 0) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
  }

  /// Names of entries created, removed or renamed in the netns directory; an overflow means "look at all".
  void DrainNetnsDir(reconciler::HostChanges& changes) {
    alignas(inotify_event) char buf[16384];
    for (;;) {
      ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      changes.any = true;
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        if (ev->mask & IN_Q_OVERFLOW) overflowed_ = true;
        if (ev->len > 0) changes.scopes.insert(ev->name);
        p += sizeof(inotify_event) + ev->len;
      }
    }
  }

  void FollowNamespaces(reconciler::HostChanges& changes) {
    auto entries = netns_.List();
    if (!entries) return;
    std::map<std::string, UniqueFd> next;
    scope_of_.clear();
    for (const auto& e : *entries) {
      if (!e.mounted || !e.name.starts_with(reconciler::linux_res::kNetnsPrefix)) continue;
      if (overflowed_) changes.scopes.insert(e.name);
      if (auto it = per_netns_.find(e.name); it != per_netns_.end()) {
        scope_of_.emplace(it->second.get(), e.name);
        next.emplace(e.name, std::move(it->second));
        continue;
      }
      // New to the feed: whatever happened inside it before its socket existed was not reported.
      changes.any = true;
      changes.scopes.insert(e.name);
      auto nsfd = netns_.Open(e.name);
      if (!nsfd) continue;  // gone while we looked
      UniqueFd sock;
      if (!RunInNetns(nsfd->get(), [&] { sock = NetnsRouteSocket(); })) continue;
      if (!sock.valid()) continue;
      Watch(sock.get());
      scope_of_.emplace(sock.get(), e.name);
      next.emplace(e.name, std::move(sock));
    }
    overflowed_ = false;
    per_netns_ = std::move(next);  // sockets of removed namespaces close here (and leave the epoll set)
  }

  NetnsDir netns_;
  UniqueFd epoll_, host_, nft_, inotify_;
  std::map<std::string, UniqueFd> per_netns_;
  std::map<int, std::string> scope_of_;  // per-netns socket -> its netns
  bool overflowed_ = false;
};

}  // namespace

std::unique_ptr<reconciler::ChangeFeed> MakeLinuxChangeFeed(const LinuxDriverOptions& options) {
  auto feed = std::make_unique<LinuxChangeFeed>(options);
  if (!feed->Init()) return nullptr;
  return feed;
}

}  // namespace berth::drivers::lnx
