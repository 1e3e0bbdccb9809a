// Graph edits passes make in bulk: removing nodes and constants, renaming, reordering.
#include <algorithm>
#include <unordered_set>

#include "compiler/ir/graph.h"

namespace hetero::ir {
namespace {

// The first user outside `dead` of a value in `dead_values`, for the error message.
Status CheckUnused(const std::vector<std::unique_ptr<Node>>& nodes,
                   const std::vector<Value*>& outputs,
                   const std::unordered_set<const Value*>& dead_values,
                   const std::unordered_set<const Node*>& dead) {
  for (const auto& node : nodes) {
    if (dead.count(node.get())) continue;
    for (const Value* in : node->inputs()) {
      if (in != nullptr && dead_values.count(in)) {
        return FailedPrecondition("value '" + in->name() + "' is still used by " +
                                  DescribeNode(*node));
      }
    }
  }
  for (const Value* out : outputs) {
    if (dead_values.count(out)) {
      return FailedPrecondition("value '" + out->name() + "' is still a graph output");
    }
  }
  return OkStatus();
}

}  // namespace

Status Graph::RemoveNodes(const std::vector<Node*>& nodes) {
  std::unordered_set<const Node*> dead;
  std::unordered_set<const Value*> dead_values;
  for (Node* node : nodes) {
    if (node == nullptr || FindNode(node->name_) != node) {
      return InvalidArgument("RemoveNodes: a node is not in graph '" + name_ + "'");
    }
    dead.insert(node);
    for (Value* out : node->outputs_) dead_values.insert(out);
  }
  HETERO_RETURN_IF_ERROR(CheckUnused(nodes_, outputs_, dead_values, dead));
  for (const Value* v : dead_values) value_by_name_.erase(v->name_);
  for (const Node* n : dead) node_by_name_.erase(n->name_);
  std::erase_if(values_, [&](const auto& v) { return dead_values.count(v.get()) > 0; });
  std::erase_if(nodes_, [&](const auto& n) { return dead.count(n.get()) > 0; });
  return OkStatus();
}

Status Graph::RemoveConstants(const std::vector<Value*>& constants) {
  std::unordered_set<const Value*> dead;
  for (Value* v : constants) {
    if (v == nullptr || !v->is_constant() || FindValue(v->name_) != v) {
      return InvalidArgument("RemoveConstants: a value is not a constant of graph '" + name_ + "'");
    }
    dead.insert(v);
  }
  HETERO_RETURN_IF_ERROR(CheckUnused(nodes_, outputs_, dead, {}));
  for (const Value* v : dead) value_by_name_.erase(v->name_);
  std::erase_if(constants_, [&](const Value* v) { return dead.count(v) > 0; });
  std::erase_if(values_, [&](const auto& v) { return dead.count(v.get()) > 0; });
  return OkStatus();
}

Status Graph::RenameValue(Value* value, std::string name) {
  if (value == nullptr || FindValue(value->name_) != value) {
    return InvalidArgument("RenameValue: the value is not in graph '" + name_ + "'");
  }
  if (name == value->name_) return OkStatus();
  if (name.empty()) return InvalidArgument("a value needs a name");
  if (value_by_name_.count(name)) {
    return InvalidArgument("cannot rename '" + value->name_ + "' to '" + name +
                           "': the name is taken");
  }
  value_by_name_.erase(value->name_);
  value->name_ = std::move(name);
  value_by_name_[value->name_] = value;
  return OkStatus();
}

Status Graph::RenameNode(Node* node, std::string name) {
  if (node == nullptr || FindNode(node->name_) != node) {
    return InvalidArgument("RenameNode: the node is not in graph '" + name_ + "'");
  }
  if (name == node->name_) return OkStatus();
  if (name.empty()) return InvalidArgument("a node needs a name");
  if (node_by_name_.count(name)) {
    return InvalidArgument("cannot rename node '" + node->name_ + "' to '" + name +
                           "': the name is taken");
  }
  node_by_name_.erase(node->name_);
  node->name_ = std::move(name);
  node_by_name_[node->name_] = node;
  return OkStatus();
}

Status Graph::SortNodes() {
  // Depth-first over producers, starting from each node in list order: a node is emitted
  // once every producer of its inputs is.
  enum class Mark : uint8_t { kNew, kOnPath, kDone };
  std::unordered_map<const Node*, size_t> index;
  for (size_t i = 0; i < nodes_.size(); ++i) index[nodes_[i].get()] = i;
  std::vector<Mark> mark(nodes_.size(), Mark::kNew);
  std::vector<size_t> order;
  order.reserve(nodes_.size());
  std::vector<std::pair<size_t, size_t>> stack;  // node index, next input to look at
  for (size_t root = 0; root < nodes_.size(); ++root) {
    if (mark[root] != Mark::kNew) continue;
    stack.emplace_back(root, 0);
    mark[root] = Mark::kOnPath;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      const Node* node = nodes_[n].get();
      if (next == node->inputs_.size()) {
        mark[n] = Mark::kDone;
        order.push_back(n);
        stack.pop_back();
        continue;
      }
      const Value* in = node->inputs_[next++];
      if (in == nullptr || in->producer_ == nullptr) continue;
      auto it = index.find(in->producer_);
      if (it == index.end()) continue;
      const size_t p = it->second;
      if (mark[p] == Mark::kOnPath) {
        return InvalidArgument("graph has a cycle through " + DescribeNode(*nodes_[p]));
      }
      if (mark[p] == Mark::kNew) {
        mark[p] = Mark::kOnPath;
        stack.emplace_back(p, 0);
      }
    }
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(nodes_.size());
  for (size_t i : order) sorted.push_back(std::move(nodes_[i]));
  nodes_ = std::move(sorted);
  return OkStatus();
}

}  // namespace hetero::ir
