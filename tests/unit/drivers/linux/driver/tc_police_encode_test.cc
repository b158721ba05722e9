// berth's police filter and action requests, built and read back in memory: the filter the applier sends is one
// the observer recognises as berth's, exact, with the rate and bucket asked for; a filter someone changed, or one
// of another shape at berth's priority, is told apart.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_police.h"
#include "drivers/linux/tc_police.h"
#include "drivers/linux/tc_redirect.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

PoliceFilterScan Scan(const NlMsg& m) {
  PoliceFilterScan scan;
  // A dump reply carries the same tcmsg and attributes as the request; only the type differs in general.
  ScanPoliceFilter(nlmsg_hdr(m.get()), scan);
  return scan;
}

TEST(TcPoliceEncode, TheFilterIsBerthsExactPolicerAtItsPriority) {
  NlMsg m = PoliceFilterRequest(7, lr::kPoliceIndexTap, 2000, 20);
  ASSERT_TRUE(m);
  nlmsghdr* h = nlmsg_hdr(m.get());
  auto* t = static_cast<tcmsg*>(NLMSG_DATA(h));
  EXPECT_EQ(h->nlmsg_type, RTM_NEWTFILTER);
  EXPECT_EQ(t->tcm_ifindex, 7);
  EXPECT_EQ(t->tcm_parent, kIngressHandle);
  EXPECT_EQ(TC_H_MAJ(t->tcm_info) >> 16, lr::kPolicePrio);
  EXPECT_EQ(TC_H_MIN(t->tcm_info), htons(ETH_P_ALL));
  auto scan = Scan(m);
  auto r = scan.result();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->exact);
  EXPECT_EQ(r->action_index, lr::kPoliceIndexTap);
  EXPECT_EQ(r->pps, 2000u);
  EXPECT_EQ(lr::PoliceBurstPackets(r->burst_ticks, r->pps), 20u);
  // The redirect's parser does not take it for a redirect.
  EXPECT_FALSE(ParseRedirectFilter(h));
}

TEST(TcPoliceEncode, OtherFiltersAtBerthsPriorityAreForeignAndOthersIgnored) {
  // The redirect filter (kernel-chosen priority, 0 in the request) says nothing about berth's priority.
  PoliceFilterScan scan;
  NlMsg redirect = RedirectFilterRequest(7, 8);
  ScanPoliceFilter(nlmsg_hdr(redirect.get()), scan);
  EXPECT_EQ(scan.berth_nodes, 0);
  EXPECT_FALSE(scan.foreign);
  // The redirect at berth's priority is someone else's filter there.
  auto* t = static_cast<tcmsg*>(NLMSG_DATA(nlmsg_hdr(redirect.get())));
  t->tcm_info = TC_H_MAKE(static_cast<uint32_t>(lr::kPolicePrio) << 16, htons(ETH_P_ALL));
  ScanPoliceFilter(nlmsg_hdr(redirect.get()), scan);
  EXPECT_TRUE(scan.foreign);
  // Two of berth's nodes at one priority are not one policer either.
  NlMsg a = PoliceFilterRequest(7, lr::kPoliceIndexTap, 2000, 20);
  PoliceFilterScan twice;
  ScanPoliceFilter(nlmsg_hdr(a.get()), twice);
  ScanPoliceFilter(nlmsg_hdr(a.get()), twice);
  EXPECT_FALSE(twice.result());
}

TEST(TcPoliceEncode, TheDeleteTakesWhateverHoldsBerthsPriority) {
  NlMsg m = PoliceFilterDeleteRequest(7);
  ASSERT_TRUE(m);
  auto* t = static_cast<tcmsg*>(NLMSG_DATA(nlmsg_hdr(m.get())));
  EXPECT_EQ(nlmsg_hdr(m.get())->nlmsg_type, RTM_DELTFILTER);
  EXPECT_EQ(t->tcm_parent, kIngressHandle);
  EXPECT_EQ(TC_H_MAJ(t->tcm_info) >> 16, lr::kPolicePrio);
  EXPECT_EQ(TC_H_MIN(t->tcm_info), 0u) << "any protocol: a foreign filter there may match another";
  EXPECT_EQ(t->tcm_handle, 0u) << "the whole priority, every node";
}

TEST(TcPoliceEncode, TheActionReplacesByIndex) {
  NlMsg m = PoliceActionRequest(lr::kPoliceIndexPeer, 5000, 50);
  ASSERT_TRUE(m);
  nlmsghdr* h = nlmsg_hdr(m.get());
  EXPECT_EQ(h->nlmsg_type, RTM_NEWACTION);
  EXPECT_EQ(h->nlmsg_flags & NLM_F_REPLACE, NLM_F_REPLACE);
  nlattr* tb[TCA_ROOT_MAX + 1] = {};
  ASSERT_TRUE(ParseAttrs(h, sizeof(tcamsg), tb, TCA_ROOT_MAX));
  ASSERT_TRUE(tb[TCA_ACT_TAB]);
  nlattr* prio[2] = {};
  ASSERT_TRUE(ParseNested(tb[TCA_ACT_TAB], prio, 1));
  nlattr* act[TCA_ACT_MAX + 1] = {};
  ASSERT_TRUE(prio[1] && ParseNested(prio[1], act, TCA_ACT_MAX));
  EXPECT_EQ(AttrString(act[TCA_ACT_KIND]), "police");
  nlattr* pol[TCA_POLICE_MAX + 1] = {};
  ASSERT_TRUE(ParseNested(act[TCA_ACT_OPTIONS], pol, TCA_POLICE_MAX));
  tc_police parm{};
  ASSERT_TRUE(pol[TCA_POLICE_TBF]);
  std::memcpy(&parm, nla_data(pol[TCA_POLICE_TBF]), sizeof parm);
  EXPECT_EQ(parm.index, lr::kPoliceIndexPeer);
  EXPECT_EQ(parm.action, TC_ACT_SHOT);
  EXPECT_EQ(nla_get_u32(pol[TCA_POLICE_RESULT]), static_cast<uint32_t>(TC_ACT_UNSPEC));  // on to the redirect
  EXPECT_EQ(nla_get_u64(pol[TCA_POLICE_PKTRATE64]), 5000u);
  EXPECT_EQ(nla_get_u64(pol[TCA_POLICE_PKTBURST64]), lr::PoliceBurstTicks(50, 5000));
}

}  // namespace
}  // namespace berth::drivers::lnx
