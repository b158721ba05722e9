// The simulated host's ifconfig enforces FreeBSD's rules (facts A1): epair cloning and numbering, destroying
// either end, create on an existing name, rename clashes and the 15-character limit, bridge membership.
#include <gtest/gtest.h>

#include "drivers/freebsd/parse.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

using sim::SimFreeBsd;

TEST(SimIfconfig, EpairCreatePrintsTheAEndAndNumbersUnits) {
  SimFreeBsd host;
  EXPECT_EQ(Out(host, "ifconfig epair create"), "epair0a\n");
  EXPECT_EQ(Out(host, "ifconfig epair create"), "epair1a\n");
  EXPECT_EQ(Out(host, "ifconfig epair5 create"), "epair5a\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair5 create"), "ifconfig: SIOCIFCREATE2: File exists\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epairx create"), "ifconfig: SIOCIFCREATE2: Invalid argument\n");
  EXPECT_EQ(Out(host, "ifconfig -l"), "lo0 em0 epair0a epair0b epair1a epair1b epair5a epair5b\n");
  // Both ends share the MAC but for the last byte (facts A1); hwaddr is printed only once it was changed.
  auto ifs = ParseIfconfig(Out(host, "ifconfig -a"));
  EXPECT_EQ(ifs[2].ether.substr(0, 15), ifs[3].ether.substr(0, 15));
  EXPECT_EQ(ifs[2].ether.substr(15), "0a");
  EXPECT_EQ(ifs[3].ether.substr(15), "0b");
  EXPECT_EQ(ifs[2].hwaddr, "");
}

TEST(SimIfconfig, BridgeCreatePrintsOnlyANameItChose) {
  SimFreeBsd host;
  EXPECT_EQ(Out(host, "ifconfig bridge create"), "bridge0\n");
  EXPECT_EQ(Out(host, "ifconfig bridge5 create"), "");
  EXPECT_EQ(ErrOf(host, "ifconfig bridge5 create"), "ifconfig: interface bridge5 already exists\n");
}

TEST(SimIfconfig, CreateWithMoreArgumentsOnAnExistingNameChangesIt) {
  // The hazard berth avoids by never naming its new bridges in the create: "create" is silently dropped and
  // the rest applied to someone else's bridge (facts A1).
  SimFreeBsd host;
  Out(host, "ifconfig bridge0 create");
  CommandResult r = host.Run({"ifconfig", "bridge0", "create", "description", "berth owner=Bridge/bridge0", "up"}, "");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(ParseIfconfig(Out(host, "ifconfig bridge0"))[0].description, "berth owner=Bridge/bridge0");
}

TEST(SimIfconfig, DestroyingEitherEndDestroysBothAndTwiceFails) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  Out(host, "ifconfig epair0b name jail-end");
  Out(host, "ifconfig jail-end destroy");  // under its current, renamed name (facts A1)
  EXPECT_EQ(Out(host, "ifconfig -l"), "lo0 em0\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0a destroy"), "ifconfig: interface epair0a does not exist\n");
  EXPECT_EQ(ErrOf(host, "ifconfig em0 destroy"), "ifconfig: SIOCIFDESTROY: Invalid argument\n");
}

TEST(SimIfconfig, RenamesClashAndStopAtFifteenCharacters) {
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  EXPECT_EQ(Out(host, "ifconfig epair0a name fifteen-chars-x"), "fifteen-chars-x\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0b name sixteen-chars-xy"),
            "ifconfig: ioctl SIOCSIFNAME (set name): File name too long\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0b name em0"), "ifconfig: ioctl SIOCSIFNAME (set name): File exists\n");
  // A failed rename after a wildcard create leaves the new bridge behind (facts A1).
  CommandResult r = Sh(host, "ifconfig bridge create name em0");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.out, "bridge0\n");
  EXPECT_EQ(Out(host, "ifconfig -g bridge"), "bridge0\n");
}

TEST(SimIfconfig, MembersJoinOnceAndMustMatchTheBridgesMtu) {
  SimFreeBsd host;
  Out(host, "ifconfig bridge0 create");
  Out(host, "ifconfig epair create");
  Out(host, "ifconfig epair create");
  Out(host, "ifconfig bridge0 addm epair0a up");
  EXPECT_EQ(ErrOf(host, "ifconfig bridge0 addm epair0a"), "ifconfig: BRDGADD epair0a: File exists\n");
  EXPECT_EQ(ErrOf(host, "ifconfig bridge0 deletem epair1a"), "ifconfig: BRDGDEL epair1a: No such file or directory\n");
  Out(host, "ifconfig epair1a mtu 9000");
  EXPECT_EQ(ErrOf(host, "ifconfig bridge0 addm epair1a"), "ifconfig: BRDGADD epair1a: Invalid argument\n");
  // Once on a bridge, a member's MTU is fixed (facts A1 [3p, 15.1]): set it before addm.
  EXPECT_EQ(ErrOf(host, "ifconfig epair0a mtu 9000"), "ifconfig: ioctl SIOCSIFMTU (set mtu): Operation not supported\n");
  auto bridge = ParseIfconfig(Out(host, "ifconfig bridge0"));
  EXPECT_EQ(bridge[0].members, std::vector<std::string>{"epair0a"});
  EXPECT_TRUE(bridge[0].up);
}

TEST(SimIfconfig, AddressesAliasesAndRemoval) {
  SimFreeBsd host;
  Out(host, "ifconfig em0 inet 10.1.1.10/24 alias");
  EXPECT_EQ(ErrOf(host, "ifconfig em0 inet 10.1.1.10/24 alias"), "ifconfig: ioctl (SIOCAIFADDR): File exists\n");
  Out(host, "ifconfig em0 inet 10.1.1.10 -alias");
  EXPECT_EQ(ErrOf(host, "ifconfig em0 inet 10.1.1.10 -alias"),
            "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n");
  EXPECT_EQ(ErrOf(host, "ifconfig em0 group jails0"), "ifconfig: setifgroup: group names may not end in a digit\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair9a up"), "ifconfig: interface epair9a does not exist\n");
}

TEST(SimIfconfig, TheAddressFamilyComesRightAfterTheInterface) {
  // ifconfig.c: af_getbyname on the word after the interface only; "ether" is af_link's alias of "link".
  SimFreeBsd host;
  Out(host, "ifconfig epair create");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0a ether 02:00:00:00:00:01 inet 10.0.0.1/24 up"),
            "ifconfig: can't set link-level netmask or broadcast\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0a up ether 02:00:00:00:00:01"), "ifconfig: ether: bad value\n");
  EXPECT_EQ(ErrOf(host, "ifconfig epair0a inet 10.0.0.1/24 inet 10.0.0.2/24"), "ifconfig: inet: bad value\n");
  auto before = ParseIfconfig(Out(host, "ifconfig epair0a"))[0];
  EXPECT_TRUE(before.up);  // "up" took effect before the bad word: parameters apply one by one
  EXPECT_NE(before.ether, "02:00:00:00:00:01");
  EXPECT_TRUE(before.inet.empty());
  Out(host, "ifconfig epair0a ether 02:00:00:00:00:01");
  Out(host, "ifconfig epair0a inet 10.0.0.1/24 up");
  auto after = ParseIfconfig(Out(host, "ifconfig epair0a"))[0];
  EXPECT_EQ(after.ether, "02:00:00:00:00:01");
  EXPECT_EQ(after.inet.at(0).ToString(), "10.0.0.1/24");
  EXPECT_TRUE(after.up);
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
