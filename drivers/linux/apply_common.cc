// Shared pieces of the Linux driver's appliers: the environment, per-batch sockets, ownership aliases.
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "drivers/linux/apply.h"
#include "drivers/linux/nft.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::lnx {

Env::Env(const LinuxDriverOptions& o)
    : options(o), netns(o.netns_dir), host_netns(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)),
      nft(std::make_unique<NftBackend>(o.state_dir)) {}

Env::~Env() = default;

Result<NlSocket*, OsError> BatchSockets::Get(const std::string& scope) {
  auto& slot = sockets_[scope];
  if (!slot) {
    Result<std::unique_ptr<NlSocket>, OsError> opened = OsFail(EBADF, "netlink socket");
    if (scope.empty()) {
      opened = NlSocket::OpenIn(env_.host_netns.get());
    } else {
      auto fd = env_.netns.Open(scope);
      if (!fd) return Unexpected<OsError>{fd.error()};
      opened = NlSocket::OpenIn(fd->get());
    }
    if (!opened) return Unexpected<OsError>{opened.error()};
    slot = std::move(*opened);
  }
  return slot.get();
}

std::string OwnerAliasFor(const reconciler::Resource& res) {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char created[32];
  std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::string origin = res.provenance.origin();
  // The tag grammar has no spaces in the origin; an unnamed origin still yields a parsable tag.
  for (char& c : origin) {
    if (c == ' ') c = '_';
  }
  if (origin.empty()) origin = "unknown";
  return reconciler::FormatOwnerTag({origin, created});
}

std::optional<long> IntAttr(Job& job, const char* name, bool& ok) {
  const std::string* v = job.res().Attr(name);
  if (!v) return std::nullopt;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || n < 0) {
    ok = false;
    job.Fail(reconciler::DriverError::Kind::kInvalid, std::string("attribute ") + name + "='" + *v + "' is not a number");
    return std::nullopt;
  }
  return n;
}

}  // namespace berth::drivers::lnx
