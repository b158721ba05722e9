// Property of plan building over random dependency graphs: a graph with cycles is rejected naming every
// node on a cycle (and no other); an acyclic one gives steps whose dependencies all come first.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "reconciler/plan.h"
#include "tests/unit/reconciler/test_platform.h"

namespace berth::proptest {
namespace {

using namespace reconciler::testing;  // NOLINT: test vocabulary

std::string NodeName(int i) { return "a" + std::string(i < 10 ? "0" : "") + std::to_string(i); }

RC_GTEST_PROP(Cycles, CyclesAreRejectedWithEveryMemberNamed, ()) {
  const int n = *rc::gen::inRange(1, 13);
  const int density = *rc::gen::inRange(1, 5);  // percent of pairs with an edge, in tenths
  std::vector<std::vector<bool>> needs(n, std::vector<bool>(n, false));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) needs[i][j] = i != j && *rc::gen::inRange(0, 20) < density;

  Changes changes;
  for (int i = 0; i < n; ++i) {
    std::string list;
    for (int j = 0; j < n; ++j)
      if (needs[i][j]) list += NodeName(j) + " ";
    changes.Create(Res(Node(NodeName(i)), {{"needs", list}}));
  }
  // Reachability (Floyd–Warshall): a node is on a cycle when it reaches itself.
  auto reach = needs;
  for (int m = 0; m < n; ++m)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) reach[i][j] = reach[i][j] || (reach[i][m] && reach[m][j]);
  bool any_cycle = false;
  for (int i = 0; i < n; ++i) any_cycle |= reach[i][i];
  RC_CLASSIFY(any_cycle, "cyclic");

  auto plan = reconciler::BuildPlan(TestPlatform(), changes.Build(), {});
  RC_ASSERT(plan.ok() == !any_cycle);
  if (!plan.ok()) {
    for (int i = 0; i < n; ++i) {
      bool named = plan.error().message.find("node:/" + NodeName(i)) != std::string::npos;
      RC_ASSERT(named == bool(reach[i][i]));
    }
    return;
  }
  std::map<std::string, int> id_of;
  for (const auto& step : plan->steps) id_of[step.key().name] = step.id;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (needs[i][j]) RC_ASSERT(id_of[NodeName(j)] < id_of[NodeName(i)]);
}

}  // namespace
}  // namespace berth::proptest
