// Port forwards on FreeBSD: what validation lets through, the pf rules derived for sources, listen addresses,
// ranges and reflection, their text as pfctl lists it, the simulated pfctl's verdicts, and a whole host converging,
// staying converged and repairing a changed rule.
#include <gtest/gtest.h>

#include "drivers/freebsd/platform/freebsd_forwards.h"
#include "drivers/freebsd/platform/freebsd_resources.h"
#include "model/load.h"
#include "model/validate_platform.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

using namespace reconciler::freebsd_res;  // NOLINT: the vocabulary of these tests
using Strings = std::vector<std::string>;

std::string Manifest(const std::string& forwards) {
  return "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: jailbr0}\nspec: {address: 10.30.0.1/24}\n---\n"
         "apiVersion: berth/v1\nkind: NAT\nmetadata: {name: out}\nspec:\n  source: {bridge: jailbr0}\n"
         "  egress: em0\n  forwards:\n" + forwards +
         "---\napiVersion: berth/v1\nkind: Jail\nmetadata: {name: api}\nspec:\n  path: /jails/api\n  network:\n"
         "    mode: full\n    interfaces: [{name: vnet0, bridge: jailbr0, address: 10.30.0.10/24}]\n";
}

model::LoadResult Load(const std::string& forwards) {
  model::LoadOptions options;
  options.platform = "freebsd";
  return model::LoadManifestText(Manifest(forwards), "host.yaml", options);
}

Strings Codes(const model::LoadResult& r) {
  Strings out;
  for (const auto& d : r.diagnostics) out.push_back(d.code + " " + d.summary.substr(0, d.summary.find(':')));
  return out;
}

model::PortForward Forward(const std::string& line) {
  auto r = Load("    - " + line + "\n");
  EXPECT_TRUE(r.diagnostics.empty()) << (r.diagnostics.empty() ? "" : r.diagnostics[0].ToString());
  return r.manifest.nats.at(0).forwards.at(0);
}

struct Rules {
  Strings nat, rdr;
};
Rules Derive(const model::PortForward& f, bool bridge = true) {
  Rules out;
  ForwardPlace place{"em0", bridge ? std::optional<std::string>("jailbr0") : std::nullopt,
                     *model::Cidr4::Parse("10.30.0.0/24")};
  AddForwardRules(place, f, out.nat, out.rdr);
  for (const auto* rules : {&out.nat, &out.rdr})
    for (const auto& line : *rules) EXPECT_TRUE(ParsePfForwardRule(line)) << "not derived again: " << line;
  return out;
}

TEST(FreeBsdForwards, ValidationRefusesOnlyWhatPfCannotDo) {
  auto ok = Load("    - {port: 8443, to: 10.30.0.10:443, listen: 192.0.2.10, from: [198.51.100.0/24]}\n"
                 "    - {protocol: udp, port: \"9000-9099\", to: 10.30.0.10}\n");
  EXPECT_EQ(Codes(ok), Strings{});
  auto bad = Load("    - {port: 5432, to: 10.30.0.10:5432, localhost: true}\n"
                  "    - {protocol: sctp, port: 3868, to: 10.30.0.10:3868}\n");
  ASSERT_EQ(bad.diagnostics.size(), 2u);
  EXPECT_EQ(bad.diagnostics[0].code, "forward-not-on-platform");
  EXPECT_NE(bad.diagnostics[0].ToString().find("host.yaml:13:"), std::string::npos) << bad.diagnostics[0].ToString();
  EXPECT_NE(bad.diagnostics[0].ToString().find("pf.conf(5)"), std::string::npos) << bad.diagnostics[0].ToString();
  EXPECT_NE(bad.diagnostics[1].ToString().find("rdr_consistent"), std::string::npos) << bad.diagnostics[1].ToString();
}

TEST(FreeBsdForwards, InterfacesNamedLikePfKeywordsAreRefused) {
  // pfctl's lexer turns these words into keywords (parse.y lookup), so a rule naming them does not parse.
  std::string text = Manifest("    - {port: 80, to: 10.30.0.10}\n");
  for (auto [from, to] : {std::pair<std::string, std::string>{"jailbr0", "table"}, {"em0", "out"}})
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
  model::LoadOptions options;
  options.platform = "freebsd";
  auto r = model::LoadManifestText(text, "host.yaml", options);
  ASSERT_EQ(r.diagnostics.size(), 2u);
  std::string all;
  for (const auto& d : r.diagnostics) {
    EXPECT_EQ(d.code, "pf-keyword-interface");
    all += d.ToString() + "\n";
  }
  EXPECT_NE(all.find("error: spec.egress: pfctl reads \"out\" as a keyword"), std::string::npos) << all;
  EXPECT_NE(all.find("error: spec.source: pfctl reads \"table\" as a keyword"), std::string::npos) << all;
  EXPECT_TRUE(model::IsPfKeyword("user"));
  EXPECT_FALSE(model::IsPfKeyword("bridge0"));
}

TEST(FreeBsdForwards, TheExampleValidatesForFreeBsd) {
  model::LoadOptions options;
  options.platform = "freebsd";
  auto r = model::LoadManifests({std::string(BERTH_SOURCE_DIR) + "/examples/manifests/freebsd-forwards"}, options);
  for (const auto& d : r.diagnostics) ADD_FAILURE() << d.ToString();
  EXPECT_EQ(r.manifest.nats.at(0).forwards.size(), 4u);
}

TEST(FreeBsdForwards, APlainForwardGetsItsRdrAndTheReflectionPair) {
  Rules r = Derive(Forward("{port: 8080, to: 10.30.0.10:80}"));
  EXPECT_EQ(r.rdr,
            (Strings{"rdr on em0 inet proto tcp from any to any port = 8080 -> 10.30.0.10 port 80",
                     "rdr on jailbr0 inet proto tcp from 10.30.0.0/24 to (em0) port = 8080 -> 10.30.0.10 port 80",
                     "rdr on jailbr0 inet proto tcp from 10.30.0.0/24 to (jailbr0) port = 8080 -> 10.30.0.10 port 80"}));
  EXPECT_EQ(r.nat, Strings{"nat on jailbr0 inet proto tcp from 10.30.0.0/24 to 10.30.0.10 port = 80 -> (jailbr0)"});
  // A CIDR source names no bridge: no reflection.
  EXPECT_EQ(Derive(Forward("{port: 8080, to: 10.30.0.10:80}"), false).rdr.size(), 1u);
}

TEST(FreeBsdForwards, SourcesListenAddressesAndRangesAreInTheRules) {
  Rules r = Derive(Forward("{port: 8443, to: 10.30.0.10:443, listen: 192.0.2.10, "
                           "from: [198.51.100.0/24, 203.0.113.7/32, 10.30.0.0/25]}"));
  EXPECT_EQ(r.rdr,
            (Strings{"rdr on em0 inet proto tcp from 198.51.100.0/24 to 192.0.2.10 port = 8443 -> 10.30.0.10 port 443",
                     "rdr on em0 inet proto tcp from 203.0.113.7 to 192.0.2.10 port = 8443 -> 10.30.0.10 port 443",
                     "rdr on em0 inet proto tcp from 10.30.0.0/25 to 192.0.2.10 port = 8443 -> 10.30.0.10 port 443",
                     // reflection only for the part of the bridge's subnet `from` accepts
                     "rdr on jailbr0 inet proto tcp from 10.30.0.0/25 to 192.0.2.10 port = 8443 -> 10.30.0.10 port 443"}));
  EXPECT_EQ(r.nat, Strings{"nat on jailbr0 inet proto tcp from 10.30.0.0/25 to 10.30.0.10 port = 443 -> (jailbr0)"});

  Rules range = Derive(Forward("{protocol: udp, port: \"9000-9099\", to: 10.30.0.10}"));
  EXPECT_EQ(range.rdr[0], "rdr on em0 inet proto udp from any to any port 9000:9099 -> 10.30.0.10 port 9000:9099");
  EXPECT_EQ(range.nat[0], "nat on jailbr0 inet proto udp from 10.30.0.0/24 to 10.30.0.10 port 9000:9099 -> (jailbr0)");

  // 0.0.0.0/0 is listed as "any" (pfctl_parser.c print_addr): written so, or the listing never compares equal.
  Rules all = Derive(Forward("{port: 22, to: 10.30.0.10, from: [0.0.0.0/0]}"));
  EXPECT_EQ(all.rdr[0], "rdr on em0 inet proto tcp from any to any port = 22 -> 10.30.0.10 port 22");
  EXPECT_EQ(all.nat[0], "nat on jailbr0 inet proto tcp from 10.30.0.0/24 to 10.30.0.10 port = 22 -> (jailbr0)");
  // Sources wholly outside the bridge's subnet: no reflection at all.
  EXPECT_TRUE(Derive(Forward("{port: 22, to: 10.30.0.10, from: 198.51.100.0/24}")).nat.empty());
  // Two forwards to one target port share their nat rule.
  Rules shared;
  ForwardPlace place{"em0", "jailbr0", *model::Cidr4::Parse("10.30.0.0/24")};
  AddForwardRules(place, Forward("{port: 8080, to: 10.30.0.10:80}"), shared.nat, shared.rdr);
  AddForwardRules(place, Forward("{port: 8081, to: 10.30.0.10:80}"), shared.nat, shared.rdr);
  EXPECT_EQ(shared.nat.size(), 1u);
  EXPECT_EQ(shared.rdr.size(), 6u);
}

TEST(FreeBsdForwards, SimulatedPfctlJudgesRulesAsParseYDoes) {
  sim::SimFreeBsd host;
  // pf.conf(5): "port 2000:2999 -> ... port 4000:*" maps each port; pfctl lists the pool's end (parse.y natrule,
  // pfctl_parser.c print_pool).
  ASSERT_TRUE(Sh(host, "pfctl -a berth/out -f -",
                 "rdr on em0 inet proto udp from any to any port 9000:9099 -> 10.30.0.10 port 8000:*\n"
                 "rdr on em0 inet proto tcp from 198.51.100.7/32 to 192.0.2.10 port 22:22 -> 10.30.0.10 port 22:22\n"
                 "rdr on em0 inet proto tcp from 0.0.0.0/0 to any port = 23 -> 10.30.0.10 port 23\n"
                 "nat on jailbr0 inet proto tcp from 10.30.0.0/24 to 10.30.0.10 port = 80 -> (jailbr0)\n")
                  .ok());
  EXPECT_EQ(Out(host, "pfctl -a berth/out -s nat"),
            "rdr on em0 inet proto udp from any to any port 9000:9099 -> 10.30.0.10 port 8000:8099\n"
            "rdr on em0 inet proto tcp from 198.51.100.7 to 192.0.2.10 port = 22 -> 10.30.0.10 port 22\n"
            "rdr on em0 inet proto tcp from any to any port = 23 -> 10.30.0.10 port 23\n"
            "nat on jailbr0 inet proto tcp from 10.30.0.0/24 to 10.30.0.10 port = 80 -> (jailbr0) round-robin\n");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"rdr on em0 inet proto sctp from any to any port = 3868 -> 10.30.0.10 port 3868",
       "dst port only applies to tcp/udp"},
      {"rdr on em0 inet proto tcp from any to any port 8000:* -> 10.30.0.10 port 8000", "unknown port *"},
      {"rdr on em0 inet proto tcp from any to any port = 70000 -> 10.30.0.10 port 80", "illegal port value 70000"},
      {"rdr on em0 inet proto tcp from any to any port = 80 -> 10.30.0.10 port 80 pass", "syntax error"},
      {"rdr on table inet proto tcp from any to (em0) port = 80 -> 10.30.0.10 port 80", "syntax error"},
      {"rdr on em0 inet proto tcp from any to (out) port = 80 -> 10.30.0.10 port 80", "syntax error"},
  };
  for (const auto& [rule, error] : refused) {
    CommandResult r = Sh(host, "pfctl -a berth/out -f -", rule + "\n");
    EXPECT_NE(r.exit_code, 0) << rule;
    EXPECT_NE(r.err.find("stdin:1: " + error), std::string::npos) << rule << "\n" << r.err;
  }
  // A refused load changes nothing.
  EXPECT_NE(Out(host, "pfctl -a berth/out -s nat").find("port 8000:8099"), std::string::npos);
}

TEST(FreeBsdForwards, AHostConvergesStaysConvergedAndARuleChangedBehindBerthsBackIsRepaired) {
  auto loaded = Load("    - {port: 8443, to: 10.30.0.10:443, listen: 192.0.2.10, from: [198.51.100.0/24]}\n"
                     "    - {protocol: udp, port: \"9000-9099\", to: 10.30.0.10}\n");
  ASSERT_TRUE(loaded.diagnostics.empty()) << loaded.diagnostics[0].ToString();
  Host host;
  ASSERT_TRUE(host.Converge(&loaded.manifest));
  const std::string listed = Out(host.sim, "pfctl -a berth/out -s nat");
  EXPECT_NE(listed.find("rdr on em0 inet proto udp from any to any port 9000:9099 -> 10.30.0.10 port 9000:9099"),
            std::string::npos) << listed;
  EXPECT_EQ(Steps(host.Plan(&loaded.manifest)), "");  // the listing compares equal with what berth derives

  // An operator's edit: the forward now goes to another address.
  std::string edited = listed;
  edited.replace(edited.find("-> 10.30.0.10 port 9000:9099"), 28, "-> 10.30.0.99 port 9000:9099");
  ASSERT_TRUE(Sh(host.sim, "pfctl -a berth/out -f -", edited).ok());
  EXPECT_EQ(Steps(host.Plan(&loaded.manifest)), "update pf:/berth/out\n");
  ASSERT_TRUE(host.Converge(&loaded.manifest));
  EXPECT_EQ(Out(host.sim, "pfctl -a berth/out -s nat"), listed);
}

TEST(FreeBsdForwards, AListenAddressTheHostLacksIsAPlanConflict) {
  auto loaded = Load("    - {port: 8443, to: 10.30.0.10:443, listen: 192.0.2.99}\n"
                     "    - {port: 8444, to: 10.30.0.10:443, listen: 10.30.0.1}\n");  // the bridge's, given by berth
  ASSERT_TRUE(loaded.diagnostics.empty());
  Host host;
  const std::string steps = Steps(host.Plan(&loaded.manifest));
  EXPECT_NE(steps.find("conflict: listen address 192.0.2.99 of a forward is not an address of this host"),
            std::string::npos) << steps;
  EXPECT_EQ(steps.find("listen address 10.30.0.1 "), std::string::npos) << steps;
  // em0's own address (192.0.2.10) is the host's.
  auto on_host = Load("    - {port: 8443, to: 10.30.0.10:443, listen: 192.0.2.10}\n");
  EXPECT_EQ(Steps(host.Plan(&on_host.manifest)).find("conflict"), std::string::npos);
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
