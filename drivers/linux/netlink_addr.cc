// IPv4 addresses over rtnetlink (RTM_NEWADDR/RTM_DELADDR), pipelined per namespace. An address is berth's
// when its link is; the address and its device are its identity, so an update has nothing to change.
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "drivers/linux/apply.h"
#include "model/net.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;
using Kind = reconciler::DriverError::Kind;

/// ifindex by name over the batch's socket for that namespace, cached per batch.
class IndexCache {
 public:
  explicit IndexCache(BatchSockets& socks) : socks_(socks) {}
  std::optional<int> Get(Job& job, const std::string& dev) {
    auto key = std::make_pair(job.key().scope, dev);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto sock = socks_.Get(job.key().scope);
    if (!sock) {
      job.Fail(sock.error());
      return std::nullopt;
    }
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    NlMsg m = NewRequest(RTM_GETLINK, 0, &ifi, sizeof ifi);
    if (m && !PutStr(m.get(), IFLA_IFNAME, dev)) m.reset();
    int index = 0;
    auto st = (*sock)->Get(std::move(m), [&](nlmsghdr* h) {
      if (h->nlmsg_type == RTM_NEWLINK) index = static_cast<ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    });
    if (!st || index == 0) {
      job.Fail(OsError{st ? ENODEV : st.error().err, "link " + dev, st ? "" : st.error().detail});
      return std::nullopt;
    }
    cache_[key] = index;
    return index;
  }

 private:
  BatchSockets& socks_;
  std::map<std::pair<std::string, std::string>, int> cache_;
};

NlMsg AddrRequest(int type, int flags, int index, const model::Cidr4& cidr) {
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<unsigned char>(cidr.prefix);
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  ifa.ifa_index = static_cast<unsigned>(index);
  NlMsg m = NewRequest(type, flags, &ifa, sizeof ifa);
  uint32_t be = htonl(cidr.address.value);
  if (m && !(PutBytes(m.get(), IFA_LOCAL, &be, 4) && PutBytes(m.get(), IFA_ADDRESS, &be, 4))) m.reset();
  return m;
}

}  // namespace

void ApplyAddrs(Env&, BatchSockets& socks, std::vector<Job*>& jobs) {
  IndexCache indexes(socks);
  std::map<std::string, std::unique_ptr<NlPipeline>> pipes;
  for (Job* job : jobs) {
    if (job->op() == reconciler::Op::kUpdate) continue;  // identity fields only: nothing changes in place
    const auto& r = job->res();
    auto cidr = model::Cidr4::Parse(r.AttrOr(lr::kAddress));
    const std::string dev = r.AttrOr(lr::kDev);
    if (!cidr || dev.empty()) {
      job->Fail(Kind::kInvalid, "needs dev and an IPv4 address/prefix");
      continue;
    }
    auto index = indexes.Get(*job, dev);
    if (!index) {
      if (job->op() == reconciler::Op::kDelete && job->error && job->error->sys_errno == ENODEV) job->error.reset();
      continue;  // deleting from a vanished link: the address went with it
    }
    auto sock = socks.Get(job->key().scope);
    if (!sock) {
      job->Fail(sock.error());
      continue;
    }
    auto& pipe = pipes[job->key().scope];
    if (!pipe) pipe = std::make_unique<NlPipeline>(**sock);
    const bool create = job->op() == reconciler::Op::kCreate;
    const int type = create ? RTM_NEWADDR : RTM_DELADDR;
    pipe->Add(AddrRequest(type, create ? NLM_F_CREATE | NLM_F_EXCL : 0, *index, *cidr), [job, create, type](const NlReply& rep) {
      // Deleting an address that is already gone (EADDRNOTAVAIL) leaves the host as wanted.
      if (rep.ok() || (!create && rep.err == EADDRNOTAVAIL)) return;
      job->Fail(OsError{rep.err, RtmName(type), rep.detail});
    });
  }
  for (auto& [scope, pipe] : pipes) pipe->Run();
}

}  // namespace berth::drivers::lnx
