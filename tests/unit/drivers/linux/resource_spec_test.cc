// The Linux record codecs: everything the expansion emits decodes and round-trips; anything else (a spliced
// nft statement, a sysctl berth never sets, a file outside berth's paths, a hostile argv value) is refused.
#include "drivers/linux/platform/resource_spec.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "drivers/linux/platform/linux_expand.h"
#include "drivers/linux/platform/linux_platform.h"
#include "drivers/linux/platform/linux_resources.h"
#include "model/load.h"
#include "reconciler/diff.h"

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;
namespace lr = linux_res;

const char* kPolicyManifest =
    "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: sbx0}\nspec:\n  address: 10.80.0.1/24\n  mtu: 9000\n"
    "  policy: {egress: {deny: [{to: private}]}}\n"
    "---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: out}\nspec:\n  source: {bridge: sbx0}\n  egress: eth9\n"
    "  forwards: [{protocol: tcp, port: 8080, to: \"10.80.0.5:80\"}]\n"
    "---\napiVersion: berth/v1\nkind: NAT\nmetadata: {name: wide}\nspec:\n  source: 10.80.0.0/24\n  egress: eth8\n"
    "  forwards: [{protocol: udp, port: 5353, to: \"10.80.0.6:53\"}]\n"
    "---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: w1}\nspec:\n  network:\n    bridge: sbx0\n"
    "    dns: [10.80.0.1, 1.1.1.1]\n    mode: full\n    policy:\n"
    "      host: [{protocol: tcp, port: \"8000-8099\"}, {protocol: icmp}, {protocol: udp}]\n"
    "      peers: allow\n      egress:\n        default: deny\n"
    "        allow: [{to: 10.20.0.5/32, protocol: tcp, port: 443}, {to: multicast, protocol: udp}]\n"
    "        deny: [{to: link-local}, {to: 203.0.113.0/24, protocol: icmp}]\n"
    "---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: o1}\nspec:\n  network: {bridge: sbx0, mode: outbound}\n"
    "  qemu: {kernel: /boot/vmlinuz, initrd: /boot/initrd.img, bootArgs: console=ttyS0}\n"
    "---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: f1}\nspec:\n  network: {bridge: sbx0}\n"
    "  firecracker: {kernel: /srv/vmlinux, rootfs: /srv/rootfs.ext4, jailer: {uid: 1000, gid: 1000}}\n";

DesiredState ExpandText(const std::string& yaml) {
  auto loaded = model::LoadManifestText(yaml, "test.yaml", {});
  EXPECT_TRUE(loaded.diagnostics.empty()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString());
  return lr::ExpandLinux(loaded.manifest, Allocate(loaded.manifest, {}).allocations);
}

/// Every record decodes; every rule, element and resolv.conf prints back to itself.
void ExpectRoundTrip(const DesiredState& desired, const std::string& where) {
  for (const auto& r : desired.resources) {
    EXPECT_EQ(lr::LinuxRecordError(*r), std::nullopt) << where << ": " << r->key.ToString();
    if (r->key.kind == lr::kNft) {
      auto group = lr::NftGroupFromResource(*r);
      ASSERT_TRUE(group) << group.error().message;
      for (const auto& [chain, rules] : group->chains) {
        std::string text;
        for (const auto& rule : rules) text += (text.empty() ? "" : "\n") + lr::FormatNftRule(rule);
        EXPECT_EQ(text, r->AttrOr(chain)) << r->key.ToString() << " " << chain;
      }
    }
    if (r->key.kind == lr::kFile) {
      auto spec = lr::ParseResolvConf(r->AttrOr(lr::kContent));
      ASSERT_TRUE(spec);
      EXPECT_EQ(lr::FormatResolvConf(*spec), r->AttrOr(lr::kContent));
    }
  }
}

TEST(LinuxResourceSpec, EverythingTheExpansionEmitsRoundTrips) {
  auto desired = ExpandText(kPolicyManifest);
  ASSERT_GT(desired.resources.size(), 20u);
  ExpectRoundTrip(desired, "policy manifest");
  // Every kind of record was seen.
  std::set<std::string> kinds;
  for (const auto& r : desired.resources) kinds.insert(r->key.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"addr", "file", "link", "netns", "nft", "nfttable", "sysctl", "tc", "vmproc"}));
}

TEST(LinuxResourceSpec, TheExamplesAndTheValidCorpusRoundTrip) {
  int expanded = 0;
  for (const char* dir : {"examples/manifests", "tests/corpus/valid"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(BERTH_SOURCE_DIR) / dir)) {
      model::LoadOptions options;
      options.allow_unsafe_paths = true;
      auto loaded = model::LoadManifests({entry.path().string()}, options);
      if (!loaded.diagnostics.empty() || loaded.manifest.vms.empty()) continue;
      ExpectRoundTrip(lr::ExpandLinux(loaded.manifest, Allocate(loaded.manifest, {}).allocations), entry.path());
      ++expanded;
    }
  }
  EXPECT_GE(expanded, 5);
}

Resource Rec(const std::string& kind, const std::string& scope, const std::string& name, Attrs attrs) {
  Resource r;
  r.key = {kind, scope, name};
  r.attrs = std::move(attrs);
  return r;
}

TEST(LinuxResourceSpec, SplicedNftStatementsAreRefused) {
  for (const std::string rule :
       {"ip daddr 10.80.0.5 tcp dport 80 ct status dnat accept; }; }; delete table inet other; add rule inet berth forward accept",
        "ip daddr 10.80.0.5 accept\ndelete table inet other", "ip daddr 10.80.0.5  accept", "accept comment \"x\"",
        "iifname \"eth0\\\"; flush ruleset; \" accept", "ip saddr @other drop", "jump elsewhere", "ip daddr 10.0.0.0/8",
        "accept accept", "ether type != { ip, arp, ip6 } drop", "tcp dport 0 accept", "tcp dport 99999 accept",
        "ip daddr 10.0.0.1/8 accept", "dnat ip to 10.0.0.1:80;", "meta nftrace set 1 accept", "",
        "dnat ip to meta l4proto . th dport map { tcp . 80 : 10.0.0.1 . 80 }; flush ruleset; add rule inet berth "
        "forward accept",
        "dnat ip to meta l4proto . th dport map { tcp . 80 : 10.0.0.1 . 80 } }; delete table inet other; {",
        "ct status dnat ip daddr . meta l4proto . th dport { 10.0.0.1 . tcp . 80 }; flush ruleset; { 1 } accept",
        "ct status dnat ip daddr . meta l4proto . th dport { 10.0.0.1 . tcp . 80, \"x\" } accept"}) {
    Resource r = Rec(lr::kNft, "", "nat/n1", {{lr::kChainForward, rule}});
    EXPECT_NE(lr::LinuxRecordError(r), std::nullopt) << rule;
  }
  for (const std::string element :
       {"inet vms 10.0.0.1 }; delete table inet other; add element inet berth vms { 10.0.0.2", "inet other 10.0.0.1",
        "inet host_vm 10.0.0.1", "bridge ports eth0", "inet vms 10.0.0.1 : jump x", "inet host_vm 10.0.0.1 : jump a;b"}) {
    Resource r = Rec(lr::kNft, "", "vm/v1", {{"elements", element}});
    EXPECT_NE(lr::LinuxRecordError(r), std::nullopt) << element;
  }
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kNft, "", "vm/v1", {{"inet:x; flush ruleset", "accept"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kNft, "", "../x", {{lr::kChainForward, "accept"}})), std::nullopt);
  EXPECT_EQ(lr::LinuxRecordError(Rec(lr::kNft, "", "vm/v1", {{"inet:out-v1", "ip daddr @vms counter drop\naccept"}})),
            std::nullopt);
}

TEST(LinuxResourceSpec, SysctlsFilesAndTablesAreBerthsOwnOnly) {
  EXPECT_EQ(lr::LinuxRecordError(Rec(lr::kSysctl, "", "net.ipv4.ip_forward", {{lr::kValue, "1"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kSysctl, "", "net.core.somaxconn", {{lr::kValue, "1"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kSysctl, "", "net.ipv4.ip_forward", {{lr::kValue, "1\n"}})), std::nullopt);
  const std::string ok = "# written by berth\nnameserver 10.0.0.1\n";
  EXPECT_EQ(lr::LinuxRecordError(Rec(lr::kFile, "", "/etc/netns/berth-v1/resolv.conf", {{lr::kContent, ok}})), std::nullopt);
  for (const std::string path : {"/etc/passwd", "/etc/netns/berth-v1/../../passwd/resolv.conf", "/etc/netns/other/resolv.conf",
                                 "/etc/netns/berth-v1/hosts", "/etc/netns//resolv.conf"})
    EXPECT_NE(lr::LinuxRecordError(Rec(lr::kFile, "", path, {{lr::kContent, ok}})), std::nullopt) << path;
  for (const std::string& content : {std::string("nameserver 10.0.0.1\n"), ok + "nameserver evil\n", ok + "domain x\n",
                                    ok + "options ndots:1;rm\n", std::string("# written by berth\nnameserver 10.0.0.1")})
    EXPECT_NE(lr::LinuxRecordError(Rec(lr::kFile, "", "/etc/netns/berth-v1/resolv.conf", {{lr::kContent, content}})),
              std::nullopt)
        << content;
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kNftTable, "", "other", {})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kNftTable, "", "berth", {{lr::kChains, "forward: type filter hook forward priority filter; policy drop;"}})),
            std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec("route", "", "x", {})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kNetns, "", "ns1", {})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kNetns, "", "berth-x", {{"exec", "sh"}})), std::nullopt);
}

TEST(LinuxResourceSpec, LinksAddressesAndTcAreTyped) {
  EXPECT_EQ(lr::LinuxRecordError(Rec(lr::kLink, "", "br0", {{lr::kType, "bridge"}, {lr::kUp, "true"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kLink, "", "br0", {{lr::kType, "vxlan"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kLink, "", "br0 x", {{lr::kType, "bridge"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kLink, "", "br0", {{lr::kType, "bridge"}, {lr::kMtu, "x"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kLink, "", "br0", {{lr::kType, "bridge"}, {"script", "x"}})), std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kLink, "other", "tap0", {{lr::kType, "tap"}})), std::nullopt);
  EXPECT_EQ(lr::LinuxRecordError(Rec(lr::kAddr, "", "br0/10.1.0.1/24", {{lr::kDev, "br0"}, {lr::kAddress, "10.1.0.1/24"}})),
            std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kAddr, "", "br0/10.1.0.1/24", {{lr::kDev, "eth0"}, {lr::kAddress, "10.1.0.1/24"}})),
            std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kAddr, "", "br0/10.1.0.01/24", {{lr::kDev, "br0"}, {lr::kAddress, "10.1.0.01/24"}})),
            std::nullopt);
  EXPECT_NE(lr::LinuxRecordError(Rec(lr::kTc, "berth-v1", "eth0", {{lr::kRedirectTo, "tap0 action drop"}})), std::nullopt);
}

TEST(LinuxResourceSpec, VmProcessArgumentsAreTyped) {
  auto desired = ExpandText(kPolicyManifest);
  const Resource* qemu = desired.Find({lr::kVmProc, "", "o1"});
  ASSERT_TRUE(qemu);
  auto spec = lr::VmProcFromResource(*qemu);
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kernel, "/boot/vmlinuz");
  EXPECT_EQ(spec->tap, "tap0");
  auto tampered = [&](const char* field, const std::string& value) {
    Resource r = *qemu;
    r.attrs[field] = value;
    return lr::LinuxRecordError(r);
  };
  EXPECT_NE(tampered(lr::kTap, "tap0,script=/tmp/x"), std::nullopt);
  EXPECT_NE(tampered(lr::kKernel, "-drive"), std::nullopt);
  EXPECT_NE(tampered(lr::kNetnsAttr, "berth-other"), std::nullopt);
  EXPECT_NE(tampered(lr::kMac, "02:00:00:00:00:0g"), std::nullopt);
  EXPECT_NE(tampered(lr::kVcpus, "0"), std::nullopt);
  EXPECT_NE(tampered(lr::kHypervisor, "sh"), std::nullopt);
  // A changed launch attribute without its digest is not what the expansion emits.
  EXPECT_NE(tampered(lr::kBootArgs, "console=ttyS0 init=/bin/sh"), std::nullopt);
}

TEST(LinuxResourceSpec, AMalformedRecordFailsThePlanWithItsProvenance) {
  DesiredState desired;
  Resource r = Rec(lr::kNft, "", "nat/n1", {{lr::kChainForward, "ip daddr 10.0.0.1 accept; flush ruleset"}});
  r.provenance = Provenance("NAT/n1", model::SourceSpan{"nat.yaml", 7, 1});
  desired.resources.push_back(r);
  const ChangeSet set = ComputeDiff(*MakeLinuxPlatform(), desired, ObservedState{}, {});
  const auto& conflicts = set.conflicts;
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_NE(conflicts[0].message.find("malformed nft: attribute forward, line 1"), std::string::npos)
      << conflicts[0].message;
  EXPECT_EQ(conflicts[0].provenance.span().ToString(), "nat.yaml:7:1");
}

}  // namespace
}  // namespace berth::reconciler
