// Parsing of Jail documents: VNET jails with interfaces, non-VNET jails with iocage ip4 entries.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::Header;
using testing::Load;
using testing::Summaries;
using Strings = std::vector<std::string>;

// Line 12 is "spec:", line 13 "  path: ...", line 14 "  network:".
std::string JailDoc(const std::string& name, const std::string& network) {
  return BridgeDoc("bridge0", "10.23.42.1/24") + "---\n" + Header("Jail", name) + "spec:\n  path: /iocage/jails/" +
         name + "/root\n  network:\n" + network;
}

TEST(ParseJail, ReadsAVnetJail) {
  auto r = Load(JailDoc("web_1",
                        "    interfaces:\n      - {name: vnet0, bridge: bridge0, address: 10.23.42.2/24}\n"
                        "      - {name: vnet1, bridge: bridge0, secure: true, mac: 06:00:00:00:00:01}\n"
                        "    defaultRouter: 10.23.42.1\n    dns: [10.23.42.1]\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  const Jail& j = r.manifest.jails.at(0);
  EXPECT_EQ(j.path, "/iocage/jails/web_1/root");
  EXPECT_TRUE(j.network.vnet);
  ASSERT_EQ(j.network.interfaces.size(), 2u);
  EXPECT_EQ(j.network.interfaces[0].address->ToString(), "10.23.42.2/24");
  EXPECT_FALSE(j.network.interfaces[0].secure);
  EXPECT_TRUE(j.network.interfaces[1].secure);
  EXPECT_EQ(j.network.interfaces[1].span.line, 17);
  EXPECT_EQ(j.network.default_router->ToString(), "10.23.42.1");
  EXPECT_EQ(j.doc.SpanOf("spec.network.interfaces[0].bridge").ToString(), "test.yaml:16:31");
}

TEST(ParseJail, ReadsANonVnetJail) {
  auto r = Load(JailDoc("legacy", "    vnet: false\n    ip4: [\"em0|10.1.1.10/24\", \"lo1|127.0.1.10/32\"]\n"));
  EXPECT_EQ(Summaries(r), Strings{});
  const JailNetwork& n = r.manifest.jails.at(0).network;
  EXPECT_FALSE(n.vnet);
  ASSERT_EQ(n.ip4.size(), 2u);
  EXPECT_EQ(n.ip4[0].interface, "em0");
  EXPECT_EQ(n.ip4[0].address.ToString(), "10.1.1.10/24");
}

TEST(ParseJail, NamesMustNotContainDots) {
  auto r = Load(JailDoc("www.example", "    vnet: false\n    ip4: [\"em0|10.1.1.10/24\"]\n"));
  EXPECT_EQ(Summaries(r), Strings{"invalid-name metadata.name 11:9"});
  EXPECT_EQ(r.diagnostics[0].summary, "jail name \"www.example\" contains '.', which jail(8) forbids");
}

TEST(ParseJail, InJailInterfaceNamesMustNotTakeHostNames) {
  for (const char* name : {"lo0", "epair3a", "bj0123abcdb", "bs0123abcd"}) {
    auto r = Load(JailDoc("j", std::string("    interfaces: [{name: ") + name + ", bridge: bridge0}]\n"));
    EXPECT_EQ(testing::CodesAndFields(r), Strings{"reserved-interface-name spec.network.interfaces[0].name"}) << name;
  }
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    interfaces: [{name: epair, bridge: bridge0}]\n"))), Strings{});
}

TEST(ParseJail, VnetAndNonVnetShapesExcludeEachOther) {
  EXPECT_EQ(Summaries(Load(
                JailDoc("j", "    interfaces: [{name: vnet0, bridge: bridge0}]\n    ip4: [\"em0|10.1.1.10/24\"]\n"))),
            Strings{"vnet-conflict spec.network.ip4 16:5"});
  EXPECT_EQ(Summaries(Load(JailDoc("j",
                                   "    vnet: false\n    ip4: [\"em0|10.1.1.10/24\"]\n"
                                   "    interfaces: [{name: vnet0, bridge: bridge0}]\n    defaultRouter: 10.1.1.1\n"))),
            (Strings{"vnet-conflict spec.network.interfaces 17:5", "vnet-conflict spec.network.defaultRouter 18:5"}));
}

TEST(ParseJail, NetworkedModesNeedInterfacesOrIp4) {
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    vnet: true\n"))), Strings{"missing-field spec.network.interfaces 14:3"});
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    interfaces: []\n"))),
            Strings{"missing-field spec.network.interfaces 15:5"});
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    vnet: false\n"))), Strings{"missing-field spec.network.ip4 14:3"});
}

TEST(ParseJail, DisabledAndLoopbackMayKeepTheirLinksForASwitchBack) {
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    mode: loopback\n"))), Strings{});
  EXPECT_EQ(Summaries(Load(JailDoc(
                "j", "    mode: disabled\n    interfaces: [{name: vnet0, bridge: bridge0}]\n    defaultRouter: 10.23.42.1\n"))),
            Strings{});
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    mode: loopback\n    vnet: false\n    ip4: [\"em0|10.1.1.10/24\"]\n"))),
            Strings{});
}

TEST(ParseJail, RejectsMalformedEntries) {
  auto r = Load(JailDoc("j",
                        "    vnet: yes\n    interfaces:\n      - {name: \"vnet 0\", bridge: Bridge0, secure: 1}\n"
                        "    defaultRouter: 10.23.42.1/24\n"));
  EXPECT_EQ(Summaries(r), (Strings{"wrong-type spec.network.vnet 15:11",
                                   "invalid-interface-name spec.network.interfaces[0].name 17:16",
                                   "invalid-name spec.network.interfaces[0].bridge 17:34",
                                   "wrong-type spec.network.interfaces[0].secure 17:51",
                                   "invalid-address spec.network.defaultRouter 18:20"}));
  EXPECT_EQ(Summaries(Load(JailDoc("j", "    vnet: false\n    ip4: [\"10.1.1.10/24\"]\n"))),
            Strings{"invalid-ip4-entry spec.network.ip4[0] 16:11"});
  EXPECT_EQ(
      Summaries(Load(JailDoc("j", "    mode: loopback\n").replace(JailDoc("j", "").find("path: /"), 7, "path: "))),
      Strings{"invalid-path spec.path 13:9"});
}

}  // namespace
}  // namespace berth::model
