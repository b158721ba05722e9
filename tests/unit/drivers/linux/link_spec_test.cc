// The Linux link codec the plan-time check, the netlink driver and the simulator share: strings in, types out,
// and a malformed value refused at plan time with the manifest resource it came from.
#include "drivers/linux/platform/link_spec.h"

#include <gtest/gtest.h>

#include "reconciler/diff.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_resources.h"
#include "tests/unit/drivers/sim/sim_fixture.h"

namespace berth::reconciler::linux_res {
namespace {

Resource Link(Attrs attrs) {
  Resource r;
  r.key = {kLink, "", "bv-vm1"};
  r.attrs = std::move(attrs);
  r.provenance = Provenance("VM/vm1", {"vms.yaml", 4, 1});
  return r;
}

TEST(LinkSpec, DecodesEveryTypedAttribute) {
  auto spec = LinkFromResource(Link({{kType, kLinkVeth},
                                     {kUp, kTrue},
                                     {kPeerUp, kFalse},
                                     {kMtu, "9000"},
                                     {kMaster, "fcbr0"},
                                     {kMac, "02:AA:bb:00:00:01"},
                                     {kPeerMac, "02:aa:bb:00:00:02"},
                                     {kPeer, "eth0"},
                                     {kPeerNetns, "berth-vm1"}}));
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->name, "bv-vm1");
  EXPECT_EQ(spec->type, kLinkVeth);
  EXPECT_EQ(spec->up, true);
  EXPECT_EQ(spec->peer_up, false);
  EXPECT_EQ(spec->mtu, 9000u);
  EXPECT_EQ(spec->master, "fcbr0");
  ASSERT_TRUE(spec->mac);
  EXPECT_EQ(spec->mac->ToString(), "02:aa:bb:00:00:01");
  EXPECT_EQ(spec->peer, "eth0");
  EXPECT_EQ(spec->peer_netns, "berth-vm1");
  EXPECT_FALSE(spec->owner_uid);
}

TEST(LinkSpec, EncodingDecodesBackToTheSameSpec) {
  LinkSpec s;
  s.name = "tap0";
  s.type = kLinkTap;
  s.up = false;
  s.mtu = 1500;
  s.owner_uid = 1000;
  s.owner_gid = 0;
  s.mac = model::Mac::Parse("02:00:00:00:00:0a");
  Resource r;
  r.key = {kLink, "berth-vm1", "tap0"};
  r.attrs = LinkToAttrs(s);
  EXPECT_EQ(r.AttrOr(kOwnerGid), "0");
  auto back = LinkFromResource(r);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
}

TEST(LinkSpec, MalformedValuesNameTheAttributeAndValue) {
  struct Case {
    const char* field;
    const char* value;
    const char* says;
  };
  for (const Case& c : {Case{kUp, "yes", "attribute up='yes' is not true or false"},
                        Case{kMtu, "15OO", "attribute mtu='15OO' is not a number"},
                        Case{kMtu, "-1", "attribute mtu='-1' is not a number"},
                        Case{kMtu, "4294967296", "attribute mtu='4294967296' is not a number"},
                        Case{kMtu, "", "attribute mtu='' is not a number"},
                        Case{kMac, "02:00:00:00:00", "attribute mac='02:00:00:00:00' is not a MAC address"},
                        Case{kOwnerUid, "root", "attribute owner_uid='root' is not a number"}}) {
    Resource r = Link({{kType, kLinkBridge}, {c.field, c.value}});
    auto spec = LinkFromResource(r);
    ASSERT_FALSE(spec.ok()) << c.field << "=" << c.value;
    EXPECT_EQ(spec.error().message, c.says);
    EXPECT_EQ(LinkAttrError(r), std::optional<std::string>(c.says));
  }
  EXPECT_FALSE(LinkAttrError(Link({{kType, "vxlan"}, {kMtu, "1450"}})));  // any kind decodes; values are checked
}

TEST(LinkSpec, AMalformedDesiredLinkIsAConflictAtPlanTimeWithItsProvenance) {
  DesiredState desired;
  desired.resources.push_back(Link({{kType, kLinkBridge}, {kUp, "maybe"}}));
  const ChangeSet set = ComputeDiff(*MakeLinuxPlatform(), desired, ObservedState{}, {});
  const auto& conflicts = set.conflicts;
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].key, (ResourceKey{kLink, "", "bv-vm1"}));
  EXPECT_EQ(conflicts[0].message, "malformed link: attribute up='maybe' is not true or false");
  EXPECT_EQ(conflicts[0].provenance.origin(), "VM/vm1");
  EXPECT_EQ(conflicts[0].provenance.span().line, 4);
}

TEST(LinkSpec, TheSimulatorRefusesWhatTheDriverRefuses) {
  drivers::sim::SimHost host;
  Resource bad = drivers::sim::testing::Bridge("br0");
  bad.attrs[kMtu] = "big";
  auto err = drivers::sim::testing::Do(host, Op::kCreate, bad);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sys_errno, EINVAL);
  EXPECT_NE(err->message.find("attribute mtu='big' is not a number"), std::string::npos) << err->message;
  ASSERT_FALSE(drivers::sim::testing::Do(host, Op::kCreate, drivers::sim::testing::Bridge("br0")));
  Resource update = drivers::sim::testing::Bridge("br0");
  update.attrs[kUp] = "on";
  err = drivers::sim::testing::Do(host, Op::kUpdate, update, {kUp});
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sys_errno, EINVAL);
}

}  // namespace
}  // namespace berth::reconciler::linux_res
