// The FreeBSD platform's derived names and the model's rule that keeps in-jail names clear of them.
#include "drivers/freebsd/platform/freebsd_names.h"

#include <gtest/gtest.h>

#include "model/naming.h"

namespace berth::reconciler::freebsd_res {
namespace {

TEST(FreeBsdNames, DerivedNamesFitAndAreStable) {
  const std::string epair = JailEpairName("web", "vnet0", 'a');
  EXPECT_EQ(epair.size(), 11u);
  EXPECT_EQ(epair.substr(0, 2), "bj");
  EXPECT_EQ(epair.back(), 'a');
  EXPECT_EQ(epair, JailEpairName("web", "vnet0", 'a'));                 // a pure function of its inputs
  EXPECT_EQ(epair.substr(0, 10), JailEpairName("web", "vnet0", 'b').substr(0, 10));  // the pair's two ends
  EXPECT_NE(epair, JailEpairName("web", "vnet1", 'a'));
  EXPECT_EQ(JailSecureBridgeName("a-jail-with-a-very-long-name-indeed", "vnet0").size(), 10u);
  EXPECT_EQ(JailUplinkName("web", "vnet0", 'b').substr(0, 2), "bu");
}

TEST(FreeBsdNames, EveryDerivedNameIsReservedForInJailInterfaces) {
  // An interface leaves a dying jail under its in-jail name: it must never be one berth derives.
  for (const char* jail : {"web", "db", "x"})
    for (const char* itf : {"vnet0", "e0b_web", "lan"}) {
      for (char end : {'a', 'b'}) {
        EXPECT_TRUE(model::IsReservedJailInterfaceName(JailEpairName(jail, itf, end))) << jail << " " << itf;
        EXPECT_TRUE(model::IsReservedJailInterfaceName(JailUplinkName(jail, itf, end))) << jail << " " << itf;
      }
      EXPECT_TRUE(model::IsReservedJailInterfaceName(JailSecureBridgeName(jail, itf))) << jail << " " << itf;
    }
  EXPECT_FALSE(model::IsReservedJailInterfaceName("vnet0"));
}

}  // namespace
}  // namespace berth::reconciler::freebsd_res
