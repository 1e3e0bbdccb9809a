// Ordering ONNX nodes: every name defined once, used only when defined, no cycles.
#include <functional>
#include <queue>
#include <unordered_map>

#include "compiler/onnx/import_steps.h"

namespace hetero::onnx_import {

namespace {

std::string DescribeOnnxNode(const ::onnx::GraphProto& graph, int i) {
  const auto& node = graph.node(i);
  const std::string name =
      node.name().empty() ? node.op_type() + "_" + std::to_string(i) : node.name();
  return "node '" + name + "' (" + node.op_type() + ")";
}

// Value name → index of the node producing it.
StatusOr<std::unordered_map<std::string, int>> Producers(const ::onnx::GraphProto& graph,
                                                         const ImportState& state) {
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < graph.node_size(); ++i) {
    for (const auto& out : graph.node(i).output()) {
      if (out.empty()) continue;
      if (state.values.count(out)) {
        return InvalidArgument(DescribeOnnxNode(graph, i) + ": output '" + out +
                               "' is already a graph input or initializer");
      }
      auto [it, inserted] = producer.emplace(out, i);
      if (!inserted) {
        return InvalidArgument("value '" + out + "' is produced by both " +
                               DescribeOnnxNode(graph, it->second) + " and " +
                               DescribeOnnxNode(graph, i));
      }
    }
  }
  return producer;
}

// Walks from a node left waiting to the producer of one of its waiting inputs until a node
// repeats: the nodes from its first visit on form a cycle.
Status CycleError(const ::onnx::GraphProto& graph,
                  const std::unordered_map<std::string, int>& producer,
                  const std::vector<int>& pending) {
  int current = 0;
  while (pending[static_cast<size_t>(current)] == 0) ++current;
  std::vector<int> path;
  std::vector<bool> seen(pending.size(), false);
  while (!seen[static_cast<size_t>(current)]) {
    seen[static_cast<size_t>(current)] = true;
    path.push_back(current);
    for (const auto& in : graph.node(current).input()) {
      auto it = producer.find(in);
      if (it != producer.end() && pending[static_cast<size_t>(it->second)] > 0) {
        current = it->second;
        break;
      }
    }
  }
  std::string cycle;
  bool on_cycle = false;
  for (int i : path) {
    on_cycle = on_cycle || i == current;
    if (on_cycle) cycle += DescribeOnnxNode(graph, i) + " -> ";
  }
  return InvalidArgument("the graph has a cycle (each node reads the next one's output): " + cycle +
                         DescribeOnnxNode(graph, current));
}

}  // namespace

StatusOr<std::vector<int>> OrderNodes(const ::onnx::GraphProto& graph, const ImportState& state) {
  HETERO_ASSIGN_OR_RETURN(auto producer, Producers(graph, state));
  const auto n = static_cast<size_t>(graph.node_size());
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> users(n);
  for (int i = 0; i < graph.node_size(); ++i) {
    for (const auto& in : graph.node(i).input()) {
      if (in.empty() || state.values.count(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        return InvalidArgument(DescribeOnnxNode(graph, i) + " uses '" + in +
                               "', which is never defined");
      }
      ++pending[static_cast<size_t>(i)];
      users[static_cast<size_t>(it->second)].push_back(i);
    }
  }
  // Kahn's algorithm taking the earliest ready node first, so a file that is already in
  // order keeps its order.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(static_cast<int>(i));
  }
  std::vector<int> order;
  order.reserve(n);
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int user : users[static_cast<size_t>(i)]) {
      if (--pending[static_cast<size_t>(user)] == 0) ready.push(user);
    }
  }
  if (order.size() == n) return order;
  return CycleError(graph, producer, pending);
}

}  // namespace hetero::onnx_import
