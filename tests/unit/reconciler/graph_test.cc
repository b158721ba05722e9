// Graph: topological order with the lowest-id tie-break, and cycle reports with every member named.
#include "reconciler/graph.h"

#include <gtest/gtest.h>

namespace berth::reconciler {
namespace {

using Ids = std::vector<int>;

TEST(Graph, TopologicalOrderPrefersLowestReadyId) {
  Graph g(5);
  g.AddEdge(4, 0);
  g.AddEdge(3, 1);
  // Ready at first: 2, 3, 4; 2 goes first, then 3 releases 1, which beats 4.
  EXPECT_EQ(g.TopologicalOrder(), (Ids{2, 3, 1, 4, 0}));
}

TEST(Graph, TopologicalOrderOfEdgelessGraphIsIdentity) {
  EXPECT_EQ(Graph(3).TopologicalOrder(), (Ids{0, 1, 2}));
  EXPECT_EQ(Graph(0).TopologicalOrder(), Ids{});
}

TEST(Graph, DuplicateEdgesAreHarmless) {
  Graph g(2);
  g.AddEdge(1, 0);
  g.AddEdge(1, 0);
  EXPECT_EQ(g.TopologicalOrder(), (Ids{1, 0}));
  EXPECT_TRUE(g.Cycles().empty());
}

TEST(Graph, CycleGivesNoOrderAndIsReportedInWalkOrderFromLowest) {
  Graph g(6);
  g.AddEdge(5, 2);
  g.AddEdge(2, 4);
  g.AddEdge(4, 5);
  g.AddEdge(0, 5);  // leads into the cycle, not part of it
  EXPECT_TRUE(g.TopologicalOrder().empty());
  EXPECT_EQ(g.Cycles(), (std::vector<Ids>{{2, 4, 5}}));
}

TEST(Graph, SeveralCyclesAreOrderedByLowestMember) {
  Graph g(7);
  g.AddEdge(6, 3);
  g.AddEdge(3, 6);
  g.AddEdge(1, 5);
  g.AddEdge(5, 1);
  g.AddEdge(2, 2);
  EXPECT_EQ(g.Cycles(), (std::vector<Ids>{{1, 5}, {2}, {3, 6}}));
}

TEST(Graph, InterleavedCyclesAreReportedSorted) {
  Graph g(4);
  g.AddEdge(0, 3);
  g.AddEdge(3, 0);
  g.AddEdge(3, 1);
  g.AddEdge(1, 0);
  EXPECT_EQ(g.Cycles(), (std::vector<Ids>{{0, 1, 3}}));
}

TEST(Graph, SuccessorsKeepInsertionOrder) {
  Graph g(3);
  g.AddEdge(0, 2);
  g.AddEdge(0, 1);
  EXPECT_EQ(g.Successors(0), (Ids{2, 1}));
  EXPECT_EQ(g.Successors(1), Ids{});
}

}  // namespace
}  // namespace berth::reconciler
