// A directed graph of integer nodes behind berth's own type (Boost.Graph inside, never in this header).
// Used for the plan's step order and cycle reports.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace berth::reconciler {

class Graph {
 public:
  explicit Graph(int node_count);
  ~Graph();
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;

  int node_count() const;
  /// Edge from `from` to `to`: `to` must run after `from`.
  void AddEdge(int from, int to);
  /// Nodes with an edge from `node`, in the order the edges were added (duplicates kept).
  std::vector<int> Successors(int node) const;

  /// A topological order, ties broken by the lowest node id (so equal input gives equal output).
  /// Empty when the graph has a cycle.
  std::vector<int> TopologicalOrder() const;
  /// Every cycle's members (strongly connected components with more than one node, or a self-loop), each
  /// rotated so its lowest id comes first, in ascending order of that id.
  std::vector<std::vector<int>> Cycles() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::reconciler
