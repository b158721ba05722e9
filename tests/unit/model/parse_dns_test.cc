// spec.network.dns in its two forms, and what berth writes from it: every value one safe resolv.conf word.
#include "model/parse_dns.h"

#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::Docs;
using testing::Load;
using testing::Summaries;
using testing::VmDoc;
using Strings = std::vector<std::string>;

LoadResult LoadVm(const std::string& network_lines) { return Load(Docs({BridgeDoc(), VmDoc("vm1", "br0", network_lines)})); }

TEST(ParseDns, TheShortListStays) {
  auto r = LoadVm("    dns: [10.168.0.1, 2001:db8::53]\n");
  EXPECT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(r.manifest.vms.at(0).network.dns, (Strings{"10.168.0.1", "2001:db8::53"}));
  EXPECT_TRUE(r.manifest.vms.at(0).network.dns_search.empty());
}

TEST(ParseDns, TheMappingGivesServersSearchAndOptions) {
  auto r = LoadVm("    dns:\n      servers: [10.168.0.1]\n      search: [corp.example, svc.cluster.local.]\n"
                  "      options: [ndots:2, rotate, timeout:1]\n");
  EXPECT_EQ(Summaries(r), Strings{});
  const VmNetwork& n = r.manifest.vms.at(0).network;
  EXPECT_EQ(n.dns, Strings{"10.168.0.1"});
  EXPECT_EQ(n.dns_search, (Strings{"corp.example", "svc.cluster.local."}));
  EXPECT_EQ(n.dns_options, (Strings{"ndots:2", "rotate", "timeout:1"}));
  EXPECT_EQ(RenderResolvConf(n.dns, n.dns_search, n.dns_options),
            "# written by berth\nnameserver 10.168.0.1\nsearch corp.example svc.cluster.local.\n"
            "options ndots:2 rotate timeout:1\n");
  // Search or options alone are fine: the file then names no nameserver.
  EXPECT_EQ(Summaries(LoadVm("    dns: {search: [corp.example]}\n")), Strings{});
}

TEST(ParseDns, InjectionAndOversizedValuesAreRefusedWithTheirPlace) {
  auto r = LoadVm("    dns:\n      servers: [10.168.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]\n"
                  "      search: [\"corp.example\\nnameserver 6.6.6.6\", \"a b\", \"\", bad..dots, ok.example]\n"
                  "      options: [\"ndots:2\\noptions debug\", \"x y\", Rotate, \"ndots:\", ok]\n"
                  "      extra: 1\n");
  // List-level problems point at the list's key, item problems at the item.
  EXPECT_EQ(Summaries(r),
            (Strings{"too-many-nameservers spec.network.dns.servers 16:7",
                     "invalid-dns-search spec.network.dns.search[0] 17:16",
                     "invalid-dns-search spec.network.dns.search[1] 17:52",
                     "invalid-dns-search spec.network.dns.search[2] 17:59",
                     "invalid-dns-search spec.network.dns.search[3] 17:63",
                     "invalid-dns-option spec.network.dns.options[0] 18:17",
                     "invalid-dns-option spec.network.dns.options[1] 18:43",
                     "invalid-dns-option spec.network.dns.options[2] 18:50",
                     "invalid-dns-option spec.network.dns.options[3] 18:58",
                     "unknown-field spec.network.dns.extra 19:7"}));
  std::string many = "    dns:\n      search: [";
  for (int i = 0; i < 7; ++i) many += std::string(i ? ", " : "") + "d" + std::to_string(i) + ".example";
  many += "]\n      options: [a, b, c, d, e, f, g, h, i]\n";
  EXPECT_EQ(Summaries(LoadVm(many)), (Strings{"too-many-search-domains spec.network.dns.search 16:7",
                                              "too-many-dns-options spec.network.dns.options 17:7"}));
  const std::string label(63, 'a');
  EXPECT_EQ(Summaries(LoadVm("    dns: {search: [" + label + "." + label + ", " + label + "." + label + ", " + label +
                             "." + label + "]}\n")),
            Strings{"too-many-search-domains spec.network.dns.search 15:11"})
      << "the search line must fit the resolver's 256-byte buffer";
  EXPECT_EQ(Summaries(LoadVm("    dns: {search: [" + label + "a.example]}\n")),
            Strings{"invalid-dns-search spec.network.dns.search[0] 15:20"})
      << "a label has at most 63 characters";
  EXPECT_EQ(Summaries(LoadVm("    dns: 10.0.0.1\n")), Strings{"wrong-type spec.network.dns 15:10"});
}

TEST(ParseDns, JailsTakeTheSameForm) {
  auto r = Load(Docs({BridgeDoc("bridge0", "10.11.0.1/16"),
                      testing::Header("Jail", "j1") +
                          "spec:\n  path: /jails/j1\n  network:\n    interfaces: [{name: vnet0, bridge: bridge0}]\n"
                          "    dns: {servers: [10.11.0.1], search: [jails.example], options: [edns0]}\n"}));
  EXPECT_EQ(Summaries(r), Strings{});
  EXPECT_EQ(r.manifest.jails.at(0).network.dns_search, Strings{"jails.example"});
  EXPECT_EQ(r.manifest.jails.at(0).network.dns_options, Strings{"edns0"});
}

}  // namespace
}  // namespace berth::model
