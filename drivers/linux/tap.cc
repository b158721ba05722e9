// TAP devices for Firecracker, made the way tc-redirect-tap makes them: /dev/net/tun opened inside the VM's
// netns, TUNSETIFF(IFF_TAP|IFF_NO_PI|IFF_VNET_HDR) single queue, owner, then persistent. rtnetlink cannot
// create TAPs (EOPNOTSUPP), so only the mark, state and alias go through netlink.
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "drivers/linux/apply.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/ownership.h"
#include "reconciler/crash_point.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;
constexpr unsigned kTapFlags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;

/// Opens /dev/net/tun and attaches to (or creates) `name` in the calling thread's namespace.
Result<UniqueFd, OsError> AttachTun(const std::string& name) {
  int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENODEV) return OsFail(EOPNOTSUPP, "open /dev/net/tun", "tun not available");
    return OsFailErrno("open /dev/net/tun");
  }
  UniqueFd tun(fd);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = static_cast<short>(kTapFlags);
  if (::ioctl(fd, TUNSETIFF, &ifr) != 0) return OsFailErrno("TUNSETIFF");
  return tun;
}

OsStatus SetOwner(int fd, const Job& job, bool& ok) {
  auto uid = IntAttr(const_cast<Job&>(job), lr::kOwnerUid, ok);
  auto gid = IntAttr(const_cast<Job&>(job), lr::kOwnerGid, ok);
  if (uid && ::ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(*uid)) != 0) return OsFailErrno("TUNSETOWNER");
  if (gid && ::ioctl(fd, TUNSETGROUP, static_cast<unsigned long>(*gid)) != 0) return OsFailErrno("TUNSETGROUP");
  return Ok{};
}

/// Runs `fn` inside the job's namespace (the host for an empty scope).
void InJobNetns(Env& env, Job& job, const std::function<void()>& fn) {
  UniqueFd ns;
  int fd = env.host_netns.get();
  if (!job.key().scope.empty()) {
    auto opened = env.netns.Open(job.key().scope);
    if (!opened) return job.Fail(opened.error());
    ns = std::move(*opened);
    fd = ns.get();
  }
  if (auto st = RunInNetns(fd, fn); !st) job.Fail(st.error());
}

}  // namespace

void CreateTap(Env& env, Job& job) {
  const auto& r = job.res();
  const std::string name = job.key().name;
  bool ok = true;
  auto mtu = IntAttr(job, lr::kMtu, ok);
  if (!ok) return;
  const std::string alias = OwnerAliasFor(r);
  InJobNetns(env, job, [&] {
    // TUNSETIFF would silently attach to an existing device of that name: refuse instead.
    if (::if_nametoindex(name.c_str()) != 0) return job.Fail(OsError{EEXIST, "TUNSETIFF " + name});
    auto tun = AttachTun(name);
    if (!tun) return job.Fail(tun.error());
    bool attrs_ok = true;
    if (auto st = SetOwner(tun->get(), job, attrs_ok); !st) return job.Fail(st.error());
    if (!attrs_ok) return;
    auto sock = NlSocket::Open();
    if (!sock) return job.Fail(sock.error());
    // Mark it before it becomes persistent: if berth dies in between, closing the fd removes the device.
    NlMsg m = LinkRequest(0, name, r.AttrOr(lr::kUp) == lr::kTrue);
    if (m && !(PutU32(m.get(), IFLA_GROUP, reconciler::kLinkGroup) && PutNoLinkLocal(m.get()))) m.reset();
    if (m && mtu && !PutU32(m.get(), IFLA_MTU, static_cast<uint32_t>(*mtu))) m.reset();
    if (auto st = (*sock)->Call(std::move(m)); !st) return job.Fail(st.error());
    if (::ioctl(tun->get(), TUNSETPERSIST, 1UL) != 0) return job.Fail(OsFailErrno("TUNSETPERSIST").error);
    tun->Reset();
    BERTH_CRASH_POINT("tap.create.persistent");
    if (auto st = (*sock)->Call(AliasRequest(name, alias)); !st) {
      job.Fail(OsError{st.error().err, "RTM_NEWLINK alias", st.error().detail});
    }
  });
}

void UpdateTapOwner(Env& env, Job& job) {
  InJobNetns(env, job, [&] {
    // Attaching fails with EBUSY while Firecracker holds the device: a retryable error.
    auto tun = AttachTun(job.key().name);
    if (!tun) return job.Fail(tun.error());
    bool ok = true;
    if (auto st = SetOwner(tun->get(), job, ok); !st) job.Fail(st.error());
  });
}

}  // namespace berth::drivers::lnx
