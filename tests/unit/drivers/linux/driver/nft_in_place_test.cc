// The fast paths of berth's nftables writes: which batches may replace rules by handle, and what they send.
#include "drivers/linux/nft_in_place.h"

#include <gtest/gtest.h>

#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"

namespace berth::drivers::lnx {
namespace {

namespace lr = reconciler::linux_res;

reconciler::Resource Group(const std::string& name, reconciler::Attrs attrs) {
  reconciler::Resource r;
  r.key = {lr::kNft, "", name};
  r.attrs = std::move(attrs);
  return r;
}

struct Batch {
  std::vector<reconciler::Action> actions;
  std::vector<Job> jobs;
  std::vector<Job*> ptrs;
  void Add(reconciler::Op op, reconciler::Resource r, std::optional<reconciler::Resource> before = std::nullopt) {
    reconciler::Action a;
    a.op = op;
    a.resource = std::move(r);
    if (before) a.before = reconciler::Shared<reconciler::Resource>(std::move(*before));
    actions.push_back(std::move(a));
  }
  std::vector<Job*>& Jobs() {
    jobs.assign(actions.size(), Job{});
    ptrs.clear();
    for (size_t i = 0; i < actions.size(); ++i) {
      jobs[i].action = &actions[i];
      ptrs.push_back(&jobs[i]);
    }
    return ptrs;
  }
};

TEST(NftInPlace, HandlesAreReadByGroupInChainOrder) {
  const std::string listing =
      "table inet berth {\n"
      "\tchain prerouting { # handle 3\n"
      "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
      "\t\tfib daddr type local dnat ip to meta l4proto . tcp dport map { tcp . 80 : 10.0.0.2 . 80 } comment "
      "\"berth:nat/a\" # handle 12\n"
      "\t\tip saddr 10.0.0.0/24 comment \"berth:nat/b\" # handle 7\n"
      "\t\ttcp dport 1 accept comment \"berth:nat/a\" # handle 40\n"
      "\t\ttcp dport 2 accept # handle 41\n"  // not berth's: no group
      "\t\ttcp dport 3 accept comment \"berth:nat/a\" # handle 4x\n"
      "\t}\n"
      "\tchain out-v1 { # handle 5\n"
      "\t\tip daddr 10.0.0.0/8 drop comment \"berth:vm/v1\" # handle 9\n"
      "\t}\n}\n";
  const auto chains = ParseChainHandles(listing);
  ASSERT_EQ(chains.size(), 2u);
  const GroupHandles& h = chains.at("prerouting");
  EXPECT_EQ(h.at("nat/a"), (std::vector<uint64_t>{12, 40}));
  EXPECT_EQ(h.at("nat/b"), (std::vector<uint64_t>{7}));
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(chains.at("out-v1").at("vm/v1"), (std::vector<uint64_t>{9}));
}

TEST(NftInPlace, AnUpdateKeepingEachChainsRuleCountIsReplacedByHandle) {
  Batch b;
  b.Add(reconciler::Op::kUpdate, Group("nat/a", {{lr::kChainPrerouting, "tcp dport 81 accept"}}),
        Group("nat/a", {{lr::kChainPrerouting, "tcp dport 80 accept"}}));
  b.Add(reconciler::Op::kCreate, Group("vm/v1", {{lr::kChainForward, "ip daddr 10.0.0.9 drop"}}));
  auto& jobs = b.Jobs();
  EXPECT_FALSE(OnlyNewVmGroups(jobs));
  auto chains = InPlaceChains(jobs);
  ASSERT_TRUE(chains);
  EXPECT_EQ(*chains, (std::vector<ChainRef>{{"inet", "prerouting"}}));
  std::map<ChainRef, GroupHandles> listed{{{"inet", "prerouting"}, {{"nat/a", {12}}, {"vm/v0", {13}}}}};
  EXPECT_EQ(RenderReplaces(jobs, listed),
            "replace rule inet berth prerouting handle 12 tcp dport 81 accept comment \"berth:nat/a\"\n");
  // The kernel has another number of the group's rules there (someone else's edit, a stale plan): the rewrite.
  listed[{"inet", "prerouting"}]["nat/a"] = {12, 14};
  EXPECT_EQ(RenderReplaces(jobs, listed), std::nullopt);
  listed[{"inet", "prerouting"}].erase("nat/a");
  EXPECT_EQ(RenderReplaces(jobs, listed), std::nullopt);
}

TEST(NftInPlace, AGroupLeavingAChainIsFoundEmptyThereOrRewritten) {
  Batch b;
  b.Add(reconciler::Op::kUpdate, Group("nat/a", {{lr::kChainPrerouting, "tcp dport 81 accept"}}),
        Group("nat/a", {{lr::kChainPrerouting, "tcp dport 80 accept"}, {lr::kChainForward, "accept"}}));
  auto& jobs = b.Jobs();
  auto chains = InPlaceChains(jobs);
  ASSERT_TRUE(chains);
  EXPECT_EQ(chains->size(), 2u);
  std::map<ChainRef, GroupHandles> listed{{{"inet", "prerouting"}, {{"nat/a", {12}}}}, {{"inet", "forward"}, {{"nat/a", {20}}}}};
  EXPECT_EQ(RenderReplaces(jobs, listed), std::nullopt);
  listed[{"inet", "forward"}].clear();  // already gone there: only the replace is left
  EXPECT_NE(RenderReplaces(jobs, listed), std::nullopt);
}

TEST(NftInPlace, OtherBatchesAreLeftToTheRewrite) {
  {  // an update without the record it moves away from
    Batch b;
    b.Add(reconciler::Op::kUpdate, Group("nat/a", {{lr::kChainPrerouting, "tcp dport 81 accept"}}));
    EXPECT_EQ(InPlaceChains(b.Jobs()), std::nullopt);
  }
  {  // set elements change
    Batch b;
    b.Add(reconciler::Op::kUpdate, Group("vm/v1", {{lr::kElements, "inet vms 10.0.0.3"}}),
          Group("vm/v1", {{lr::kElements, "inet vms 10.0.0.2"}}));
    EXPECT_EQ(InPlaceChains(b.Jobs()), std::nullopt);
  }
  {  // a delete, a new NAT group, the table
    for (auto [op, name] : {std::pair{reconciler::Op::kDelete, "nat/a"}, std::pair{reconciler::Op::kCreate, "nat/b"}}) {
      Batch b;
      b.Add(op, Group(name, {{lr::kChainPrerouting, "accept"}}));
      EXPECT_EQ(InPlaceChains(b.Jobs()), std::nullopt) << name;
    }
  }
  {  // new per-VM groups only: the append, not this
    Batch b;
    b.Add(reconciler::Op::kCreate, Group("vm/v1", {{lr::kChainForward, "accept"}}));
    EXPECT_TRUE(OnlyNewVmGroups(b.Jobs()));
    EXPECT_EQ(InPlaceChains(b.Jobs()), std::nullopt);
  }
}

}  // namespace
}  // namespace berth::drivers::lnx
