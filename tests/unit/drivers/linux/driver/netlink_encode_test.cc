// The Linux driver's netlink requests, built and read back in memory without root or a socket: what
// RTM_NEWLINK carries for a state change, an ownership mark, and the IPv6 link-local switch.
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "drivers/linux/apply.h"
#include "drivers/linux/netlink.h"
#include "drivers/linux/platform/ownership.h"

namespace berth::drivers::lnx {
namespace {

struct Parsed {
  nlmsghdr* hdr = nullptr;
  ifinfomsg* ifi = nullptr;
  nlattr* tb[IFLA_MAX + 1] = {};
};

Parsed Parse(const NlMsg& m) {
  Parsed p;
  p.hdr = nlmsg_hdr(m.get());
  p.ifi = static_cast<ifinfomsg*>(NLMSG_DATA(p.hdr));
  EXPECT_TRUE(ParseAttrs(p.hdr, sizeof(ifinfomsg), p.tb, IFLA_MAX));
  return p;
}

TEST(NetlinkEncode, LinkRequestNamesTheDeviceAndOnlyTheStateAskedFor) {
  NlMsg up = LinkRequest(NLM_F_CREATE | NLM_F_EXCL, "fcbr0", true);
  ASSERT_TRUE(up);
  Parsed p = Parse(up);
  EXPECT_EQ(p.hdr->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(p.hdr->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), NLM_F_CREATE | NLM_F_EXCL);
  EXPECT_EQ(p.ifi->ifi_family, AF_UNSPEC);
  EXPECT_EQ(p.ifi->ifi_change, unsigned(IFF_UP));
  EXPECT_EQ(p.ifi->ifi_flags, unsigned(IFF_UP));
  EXPECT_EQ(AttrString(p.tb[IFLA_IFNAME]), "fcbr0");

  NlMsg down = LinkRequest(0, "tap0", false);
  Parsed d = Parse(down);
  EXPECT_EQ(d.ifi->ifi_change, unsigned(IFF_UP));
  EXPECT_EQ(d.ifi->ifi_flags, 0u);

  NlMsg untouched = LinkRequest(0, "tap0", std::nullopt);  // an update that leaves the state alone
  Parsed u = Parse(untouched);
  EXPECT_EQ(u.ifi->ifi_change, 0u);
}

TEST(NetlinkEncode, AliasRequestMarksWithTheGroupAndTheTag) {
  const std::string tag = reconciler::FormatOwnerTag({"VM/vm1", "2026-11-23T07:40:00Z"});
  NlMsg m = AliasRequest("bv-vm1", tag);
  ASSERT_TRUE(m);
  Parsed p = Parse(m);
  ASSERT_TRUE(p.tb[IFLA_GROUP]);
  EXPECT_EQ(nla_get_u32(p.tb[IFLA_GROUP]), reconciler::kLinkGroup);
  EXPECT_EQ(AttrString(p.tb[IFLA_IFALIAS]), tag);
  auto read_back = reconciler::ParseOwnerTag(AttrString(p.tb[IFLA_IFALIAS]));
  ASSERT_TRUE(read_back);
  EXPECT_EQ(read_back->origin, "VM/vm1");
}

TEST(NetlinkEncode, LinkLocalAddressesAreSwitchedOffWhereIpv6Exists) {
  NlMsg m = LinkRequest(0, "eth0", true);
  ASSERT_TRUE(PutNoLinkLocal(m.get()));
  Parsed p = Parse(m);
  if (::access("/proc/sys/net/ipv6", F_OK) != 0) {
    EXPECT_FALSE(p.tb[IFLA_AF_SPEC]);  // no IPv6: nothing to switch off, and the kernel would refuse the block
    return;
  }
  ASSERT_TRUE(p.tb[IFLA_AF_SPEC]);
  nlattr* af[AF_MAX + 1] = {};
  ASSERT_TRUE(ParseNested(p.tb[IFLA_AF_SPEC], af, AF_MAX));
  ASSERT_TRUE(af[AF_INET6]);
  nlattr* inet6[IFLA_INET6_MAX + 1] = {};
  ASSERT_TRUE(ParseNested(af[AF_INET6], inet6, IFLA_INET6_MAX));
  ASSERT_TRUE(inet6[IFLA_INET6_ADDR_GEN_MODE]);
  EXPECT_EQ(nla_get_u8(inet6[IFLA_INET6_ADDR_GEN_MODE]), IN6_ADDR_GEN_MODE_NONE);
}

}  // namespace
}  // namespace berth::drivers::lnx
