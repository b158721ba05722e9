// Address parsing is strict: what operators write is either exactly valid or rejected.
#include "model/net.h"

#include <gtest/gtest.h>

namespace berth::model {
namespace {

TEST(Ipv4, ParsesAndPrints) {
  auto ip = Ipv4::Parse("10.168.0.1");
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->ToString(), "10.168.0.1");
  EXPECT_EQ(ip->value, 0x0aa80001u);
}

TEST(Ipv4, RejectsMalformed) {
  for (const char* bad : {"", "10.168.0", "10.168.0.1.2", "256.0.0.1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..2.3"})
    EXPECT_FALSE(Ipv4::Parse(bad)) << bad;
}

TEST(Cidr4, SubnetArithmetic) {
  auto c = Cidr4::Parse("10.168.0.1/24");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->network().ToString(), "10.168.0.0");
  EXPECT_EQ(c->broadcast().ToString(), "10.168.0.255");
  EXPECT_EQ(c->size(), 256u);
  EXPECT_TRUE(c->Contains(*Ipv4::Parse("10.168.0.200")));
  EXPECT_FALSE(c->Contains(*Ipv4::Parse("10.168.1.1")));
  EXPECT_TRUE(c->Overlaps(*Cidr4::Parse("10.0.0.0/8")));
  EXPECT_FALSE(c->Overlaps(*Cidr4::Parse("10.169.0.0/16")));
  EXPECT_FALSE(Cidr4::Parse("10.168.0.1/33"));
  EXPECT_FALSE(Cidr4::Parse("10.168.0.1"));
}

TEST(Mac, ParsesCaseInsensitivelyAndPrintsLower) {
  auto m = Mac::Parse("06:00:AC:10:00:02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->ToString(), "06:00:ac:10:00:02");
  EXPECT_FALSE(m->IsMulticast());
  EXPECT_TRUE(Mac::Parse("01:00:5e:00:00:01")->IsMulticast());
  EXPECT_FALSE(Mac::Parse("06:00:ac:10:00"));
  EXPECT_FALSE(Mac::Parse("06-00-ac-10-00-02"));
}

}  // namespace
}  // namespace berth::model
