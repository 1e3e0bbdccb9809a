// Graph: building, naming, use replacement and topological order.
#include "compiler/ir/graph.h"

#include <algorithm>

namespace hetero::ir {

std::string DescribeNode(const Node& node) {
  return "node '" + node.name() + "' (" + node.op() + ")";
}

StatusOr<Value*> Graph::NewValue(std::string name, TensorType type) {
  if (name.empty()) return InvalidArgument("a value needs a name");
  if (value_by_name_.count(name)) return InvalidArgument("value '" + name + "' is defined twice");
  auto v = std::make_unique<Value>();
  v->name_ = std::move(name);
  v->type_ = std::move(type);
  Value* raw = v.get();
  value_by_name_[raw->name_] = raw;
  values_.push_back(std::move(v));
  return raw;
}

StatusOr<Value*> Graph::AddInput(std::string name, TensorType type) {
  HETERO_ASSIGN_OR_RETURN(Value * v, NewValue(std::move(name), std::move(type)));
  v->is_graph_input_ = true;
  inputs_.push_back(v);
  return v;
}

StatusOr<Value*> Graph::AddConstant(std::string name, Tensor data) {
  HETERO_ASSIGN_OR_RETURN(Value * v, NewValue(std::move(name), data.type()));
  v->constant_ = std::move(data);
  constants_.push_back(v);
  return v;
}

std::string Graph::UniqueName(std::string_view stem) {
  std::string base(stem);
  if (!value_by_name_.count(base) && !node_by_name_.count(base)) return base;
  while (true) {
    std::string candidate = base + "_" + std::to_string(++name_counter_);
    if (!value_by_name_.count(candidate) && !node_by_name_.count(candidate)) return candidate;
  }
}

StatusOr<Node*> Graph::NewNode(std::string_view op, std::vector<Value*> inputs,
                               ops::Attributes attrs, std::string node_name) {
  const ops::OpSchema* schema = ops::FindOp(op);
  if (node_name.empty()) node_name = UniqueName(op);
  if (schema == nullptr) {
    return InvalidArgument("node '" + node_name + "': unknown op '" + std::string(op) + "'");
  }
  if (node_by_name_.count(node_name)) {
    return InvalidArgument("node '" + node_name + "' is defined twice");
  }
  // Trailing absent optional inputs are dropped so counts compare with the schema.
  while (!inputs.empty() && inputs.back() == nullptr) inputs.pop_back();
  auto n = std::make_unique<Node>();
  n->op_ = std::string(op);
  n->name_ = std::move(node_name);
  n->schema_ = schema;
  n->inputs_ = std::move(inputs);
  n->attrs_ = std::move(attrs);
  Node* raw = n.get();
  nodes_.push_back(std::move(n));
  node_by_name_[raw->name_] = raw;
  return raw;
}

StatusOr<Node*> Graph::AddNodeWithTypes(std::string_view op, std::vector<Value*> inputs,
                                        ops::Attributes attrs, std::vector<TensorType> output_types,
                                        std::string node_name,
                                        std::vector<std::string> output_names) {
  HETERO_ASSIGN_OR_RETURN(Node * node,
                          NewNode(op, std::move(inputs), std::move(attrs), std::move(node_name)));
  auto fail = [&](Status s) {
    node_by_name_.erase(node->name_);
    nodes_.pop_back();
    return s;
  };
  Status arity =
      ops::CheckArity(*node->schema_, node->inputs_.size(), output_types.size(), node->attrs_);
  if (!arity.ok()) return fail(arity.WithContext(DescribeNode(*node)));
  for (size_t i = 0; i < output_types.size(); ++i) {
    std::string name = i < output_names.size() && !output_names[i].empty()
                           ? output_names[i]
                           : UniqueName(node->name_ + ":" + std::to_string(i));
    auto v = NewValue(std::move(name), std::move(output_types[i]));
    if (!v.ok()) {
      for (Value* o : node->outputs_) value_by_name_.erase(o->name_);
      return fail(v.status().WithContext(DescribeNode(*node)));
    }
    (*v)->producer_ = node;
    (*v)->producer_output_ = static_cast<int>(i);
    node->outputs_.push_back(*v);
  }
  return node;
}

StatusOr<Node*> Graph::AddNode(std::string_view op, std::vector<Value*> inputs,
                               ops::Attributes attrs, size_t num_outputs, std::string node_name,
                               std::vector<std::string> output_names) {
  if (node_name.empty()) node_name = UniqueName(op);
  const ops::OpSchema* schema = ops::FindOp(op);
  if (schema == nullptr) {
    return InvalidArgument("node '" + node_name + "': unknown op '" + std::string(op) + "'");
  }
  while (!inputs.empty() && inputs.back() == nullptr) inputs.pop_back();
  Status arity = ops::CheckArity(*schema, inputs.size(), num_outputs, attrs);
  if (!arity.ok()) return arity.WithContext("node '" + node_name + "' (" + std::string(op) + ")");
  std::vector<const TensorType*> types;
  std::vector<const Tensor*> values;
  for (Value* v : inputs) {
    types.push_back(v ? &v->type() : nullptr);
    values.push_back(v ? v->constant() : nullptr);
  }
  ops::InferContext ctx{types, values, attrs, num_outputs};
  auto inferred = schema->infer(ctx);
  if (!inferred.ok()) {
    return inferred.status().WithContext("node '" + node_name + "' (" + std::string(op) + ")");
  }
  return AddNodeWithTypes(op, std::move(inputs), std::move(attrs), std::move(*inferred),
                          std::move(node_name), std::move(output_names));
}

Value* Graph::FindValue(std::string_view name) const {
  auto it = value_by_name_.find(std::string(name));
  return it == value_by_name_.end() ? nullptr : it->second;
}

Node* Graph::FindNode(std::string_view name) const {
  auto it = node_by_name_.find(std::string(name));
  return it == node_by_name_.end() ? nullptr : it->second;
}

void Graph::ReplaceAllUses(Value* from, Value* to) {
  for (auto& node : nodes_) {
    for (Value*& in : node->inputs_) {
      if (in == from) in = to;
    }
  }
  for (Value*& out : outputs_) {
    if (out == from) out = to;
  }
}

Status Graph::RemoveNode(Node* node) {
  auto users = ComputeUsers();
  for (Value* out : node->outputs_) {
    if (!users[out].empty() || std::count(outputs_.begin(), outputs_.end(), out)) {
      return FailedPrecondition(DescribeNode(*node) + ": output '" + out->name_ +
                                "' is still used");
    }
  }
  for (Value* out : node->outputs_) {
    value_by_name_.erase(out->name_);
    values_.erase(std::remove_if(values_.begin(), values_.end(),
                                 [&](const auto& v) { return v.get() == out; }),
                  values_.end());
  }
  node_by_name_.erase(node->name_);
  nodes_.erase(
      std::remove_if(nodes_.begin(), nodes_.end(), [&](const auto& n) { return n.get() == node; }),
      nodes_.end());
  return OkStatus();
}

std::unordered_map<const Value*, std::vector<Node*>> Graph::ComputeUsers() const {
  std::unordered_map<const Value*, std::vector<Node*>> users;
  for (const auto& node : nodes_) {
    for (Value* in : node->inputs_) {
      if (in) users[in].push_back(node.get());
    }
  }
  return users;
}

StatusOr<std::vector<Node*>> Graph::TopologicalOrder() const {
  // Kahn's algorithm, stable with respect to insertion order.
  std::unordered_map<const Node*, int> pending;
  auto users = ComputeUsers();
  for (const auto& node : nodes_) {
    int count = 0;
    for (Value* in : node->inputs_) {
      if (in && in->producer_) ++count;
    }
    pending[node.get()] = count;
  }
  std::vector<Node*> order;
  std::vector<Node*> ready;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    if (pending[it->get()] == 0) ready.push_back(it->get());
  }
  while (!ready.empty()) {
    Node* n = ready.back();
    ready.pop_back();
    order.push_back(n);
    for (Value* out : n->outputs_) {
      for (Node* user : users[out]) {
        // A node using the same value twice is counted twice above.
        if (--pending[user] == 0) ready.push_back(user);
      }
    }
  }
  if (order.size() != nodes_.size()) {
    for (const auto& node : nodes_) {
      if (pending[node.get()] > 0) {
        return InvalidArgument("graph has a cycle through " + DescribeNode(*node));
      }
    }
  }
  return order;
}

StatusOr<std::vector<TensorType>> InferNodeTypes(const Node& node) {
  std::vector<const TensorType*> types;
  std::vector<const Tensor*> values;
  for (Value* v : node.inputs()) {
    types.push_back(v ? &v->type() : nullptr);
    values.push_back(v ? v->constant() : nullptr);
  }
  ops::InferContext ctx{types, values, node.attrs(), node.outputs().size()};
  auto inferred = node.schema().infer(ctx);
  if (!inferred.ok()) return inferred.status().WithContext(DescribeNode(node));
  return inferred;
}

}  // namespace hetero::ir
