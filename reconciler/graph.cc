// Graph over a Boost.Graph adjacency list: a lowest-id-first topological order (Kahn with a min-heap, because
// BGL's topological_sort cannot break ties deterministically) and cycle reports from strong components.
#include "reconciler/graph.h"

#include <algorithm>
#include <functional>
#include <queue>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

namespace berth::reconciler {

struct Graph::Impl {
  using Adjacency = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Adjacency adjacency;
  std::vector<bool> self_loop;

  explicit Impl(int node_count) : adjacency(node_count), self_loop(node_count, false) {}

  std::vector<int> Successors(int node) const {
    std::vector<int> out;
    for (auto [it, end] = boost::adjacent_vertices(node, adjacency); it != end; ++it) out.push_back(int(*it));
    return out;
  }
};

Graph::Graph(int node_count) : impl_(std::make_unique<Impl>(node_count)) {}
Graph::~Graph() = default;
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;

std::vector<int> Graph::Successors(int node) const { return impl_->Successors(node); }

int Graph::node_count() const { return int(boost::num_vertices(impl_->adjacency)); }

void Graph::AddEdge(int from, int to) {
  if (from == to) impl_->self_loop[from] = true;
  boost::add_edge(from, to, impl_->adjacency);
}

std::vector<int> Graph::TopologicalOrder() const {
  const int n = node_count();
  std::vector<int> in_degree(n, 0);
  for (auto [it, end] = boost::edges(impl_->adjacency); it != end; ++it)
    ++in_degree[boost::target(*it, impl_->adjacency)];

  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int v = 0; v < n; ++v)
    if (in_degree[v] == 0) ready.push(v);

  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    int v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto [it, end] = boost::adjacent_vertices(v, impl_->adjacency); it != end; ++it)
      if (--in_degree[*it] == 0) ready.push(int(*it));
  }
  if (int(order.size()) != n) return {};
  return order;
}

namespace {

// Members of one strong component in the order a walk along its edges meets them, when the component is a
// single simple cycle; otherwise (several interleaved cycles) its members ascending. Either starts lowest.
std::vector<int> CycleOrder(std::vector<int> members, const std::vector<int>& component, int id,
                            const std::function<std::vector<int>(int)>& successors) {
  std::sort(members.begin(), members.end());
  std::vector<int> walk{members.front()};
  while (walk.size() < members.size()) {
    std::vector<int> next;
    for (int s : successors(walk.back()))
      if (component[s] == id && std::find(next.begin(), next.end(), s) == next.end()) next.push_back(s);
    if (next.size() != 1 || std::find(walk.begin(), walk.end(), next[0]) != walk.end()) return members;
    walk.push_back(next[0]);
  }
  return walk;
}

}  // namespace

std::vector<std::vector<int>> Graph::Cycles() const {
  const int n = node_count();
  std::vector<int> component(n, 0);
  int count = n == 0 ? 0 : boost::strong_components(impl_->adjacency, component.data());

  std::vector<std::vector<int>> members(count);
  for (int v = 0; v < n; ++v) members[component[v]].push_back(v);

  std::vector<std::vector<int>> cycles;
  auto successors = [this](int v) { return impl_->Successors(v); };
  for (int id = 0; id < count; ++id) {
    auto& m = members[id];
    if (m.size() > 1)
      cycles.push_back(CycleOrder(m, component, id, successors));
    else if (impl_->self_loop[m.front()])
      cycles.push_back(m);
  }
  std::sort(cycles.begin(), cycles.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return cycles;
}

}  // namespace berth::reconciler
