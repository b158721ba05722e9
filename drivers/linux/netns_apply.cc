// The netns applier. Deleting a namespace first deletes the veths inside it, so their host ends are gone
// when the step ends (the kernel tears a dropped namespace down asynchronously) and a VM can be recreated
// under the same names in the same apply.
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>

#include "drivers/linux/apply.h"
#include "model/naming.h"

namespace berth::drivers::linux {
namespace {

/// Best effort: a namespace whose veths cannot be listed is still removed.
void DeleteVethsIn(int netns_fd) {
  auto sock = NlSocket::OpenIn(netns_fd);
  if (!sock) return;
  std::vector<int> veths;
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  auto st = (*sock)->Dump(NewRequest(RTM_GETLINK, 0, &ifi, sizeof ifi), [&](nlmsghdr* h) {
    if (h->nlmsg_type != RTM_NEWLINK) return;
    nlattr* tb[IFLA_MAX + 1] = {};
    nlattr* info[IFLA_INFO_MAX + 1] = {};
    if (!ParseAttrs(h, sizeof(ifinfomsg), tb, IFLA_MAX) || !tb[IFLA_LINKINFO]) return;
    if (ParseNested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX) && AttrString(info[IFLA_INFO_KIND]) == "veth") {
      veths.push_back(static_cast<ifinfomsg*>(NLMSG_DATA(h))->ifi_index);
    }
  });
  (void)st;
  NlPipeline pipe(**sock);
  for (int index : veths) {
    ifinfomsg del{};
    del.ifi_family = AF_UNSPEC;
    del.ifi_index = index;
    pipe.Add(NewRequest(RTM_DELLINK, 0, &del, sizeof del), [](const NlReply&) {});
  }
  pipe.Run();
}

}  // namespace

void ApplyNetns(Env& env, std::vector<Job*>& jobs) {
  for (Job* job : jobs) {
    const std::string& name = job->key().name;
    if (!job->key().scope.empty() || name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
      job->Fail(reconciler::DriverError::Kind::kInvalid, "not a namespace name");
      continue;
    }
    switch (job->op()) {
      case reconciler::Op::kCreate:
        if (auto st = env.netns.Create(name); !st) job->Fail(st.error());
        break;
      case reconciler::Op::kUpdate:
        break;  // a namespace has no attributes
      case reconciler::Op::kDelete: {
        if (!name.starts_with(model::kNetnsPrefix)) {
          job->Fail(reconciler::DriverError::Kind::kPermission, "not berth's (no " +
                                                                    std::string(model::kNetnsPrefix) + " prefix)");
          break;
        }
        if (auto fd = env.netns.Open(name)) DeleteVethsIn(fd->get());
        auto st = env.netns.Delete(name);
        if (!st && st.error().err != ENOENT) job->Fail(st.error());  // already gone: done
        break;
      }
    }
  }
}

}  // namespace berth::drivers::linux
