// The IR verifier: names, definitions, op schemas, acyclicity and recorded types.
#include "compiler/ir/verifier.h"

#include <unordered_map>
#include <unordered_set>

namespace hetero::ir {
namespace {

using ValueSet = std::unordered_set<const Value*>;

std::string Quoted(const Value& v) { return "'" + v.name() + "'"; }

Status CheckConstant(const Value& v) {
  const Tensor* data = v.constant();
  if (data->empty_storage()) return InvalidArgument("constant " + Quoted(v) + " has no data");
  if (!(v.type() == data->type())) {
    return InvalidArgument("constant " + Quoted(v) + " has type " + v.type().ToString() +
                           " but its data is " + data->type().ToString());
  }
  return OkStatus();
}

// Collects every value the graph defines and checks that their names are unique.
Status CollectDefinitions(const Graph& g, ValueSet& defined) {
  std::unordered_map<std::string_view, const Value*> by_name;
  auto define = [&](const Value* v) -> Status {
    if (!by_name.emplace(v->name(), v).second) {
      return InvalidArgument("value " + Quoted(*v) + " is defined twice");
    }
    defined.insert(v);
    return OkStatus();
  };
  for (const Value* v : g.inputs()) HETERO_RETURN_IF_ERROR(define(v));
  for (const Value* v : g.constants()) {
    HETERO_RETURN_IF_ERROR(define(v));
    HETERO_RETURN_IF_ERROR(CheckConstant(*v));
  }
  std::unordered_set<std::string_view> node_names;
  for (const auto& node : g.nodes()) {
    if (!node_names.insert(node->name()).second) {
      return InvalidArgument("node name '" + node->name() + "' is used twice");
    }
    for (size_t i = 0; i < node->outputs().size(); ++i) {
      const Value* v = node->output(i);
      if (v->producer() != node.get() || v->producer_output() != static_cast<int>(i)) {
        return Internal(DescribeNode(*node) + ": output " + Quoted(*v) +
                        " records another producer");
      }
      HETERO_RETURN_IF_ERROR(define(v));
    }
  }
  return OkStatus();
}

Status CheckNode(const Node& node, const ValueSet& defined) {
  const ops::OpSchema* schema = ops::FindOp(node.op());
  if (schema == nullptr) return InvalidArgument(DescribeNode(node) + ": unknown op");
  HETERO_RETURN_IF_ERROR(
      ops::CheckArity(*schema, node.inputs().size(), node.outputs().size(), node.attrs())
          .WithContext(DescribeNode(node)));
  for (const Value* in : node.inputs()) {
    if (in != nullptr && !defined.count(in)) {
      return InvalidArgument(DescribeNode(node) + " uses " + Quoted(*in) +
                             ", which is never defined");
    }
  }
  return OkStatus();
}

// A node that lies on a cycle among `stuck` (nodes Kahn's algorithm could not order; each
// has an input produced by another stuck node): walk producers back until one repeats,
// then name the cycle's earliest node in list order.
const Node* NodeOnCycle(const std::vector<const Node*>& stuck,
                        const std::unordered_map<const Node*, size_t>& index) {
  std::unordered_set<const Node*> stuck_set(stuck.begin(), stuck.end());
  std::vector<const Node*> path;
  std::unordered_map<const Node*, size_t> position;
  const Node* current = stuck.front();
  while (!position.count(current)) {
    position[current] = path.size();
    path.push_back(current);
    for (const Value* in : current->inputs()) {
      if (in && in->producer() && stuck_set.count(in->producer())) {
        current = in->producer();
        break;
      }
    }
  }
  const Node* earliest = current;
  for (size_t i = position[current]; i < path.size(); ++i) {
    if (index.at(path[i]) < index.at(earliest)) earliest = path[i];
  }
  return earliest;
}

// Kahn's algorithm over the node list; inputs must already be known to be defined.
StatusOr<std::vector<const Node*>> OrderNodes(const Graph& g) {
  std::unordered_map<const Node*, size_t> index;
  std::unordered_map<const Node*, int> pending;
  std::unordered_map<const Value*, std::vector<const Node*>> users;
  for (size_t i = 0; i < g.nodes().size(); ++i) index[g.nodes()[i].get()] = i;
  for (const auto& node : g.nodes()) {
    int count = 0;
    for (const Value* in : node->inputs()) {
      if (in && in->producer()) {
        ++count;
        users[in].push_back(node.get());
      }
    }
    pending[node.get()] = count;
  }
  std::vector<const Node*> order;
  for (const auto& node : g.nodes()) {
    if (pending[node.get()] == 0) order.push_back(node.get());
  }
  for (size_t next = 0; next < order.size(); ++next) {
    for (const Value* out : order[next]->outputs()) {
      for (const Node* user : users[out]) {
        if (--pending[user] == 0) order.push_back(user);
      }
    }
  }
  if (order.size() == g.nodes().size()) return order;
  std::vector<const Node*> stuck;
  for (const auto& node : g.nodes()) {
    if (pending[node.get()] > 0) stuck.push_back(node.get());
  }
  return InvalidArgument("graph has a cycle through " + DescribeNode(*NodeOnCycle(stuck, index)));
}

Status CheckRecordedTypes(const Node& node) {
  HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> inferred, InferNodeTypes(node));
  if (inferred.size() != node.outputs().size()) {
    return InvalidArgument(DescribeNode(node) + " has " + std::to_string(node.outputs().size()) +
                           " outputs but the op infers " + std::to_string(inferred.size()));
  }
  for (size_t i = 0; i < inferred.size(); ++i) {
    const TensorType& recorded = node.output(i)->type();
    const TensorType& want = inferred[i];
    bool agree = recorded.dtype == want.dtype && recorded.shape.rank() == want.shape.rank();
    for (size_t d = 0; agree && d < want.shape.rank(); ++d) {
      agree = DimsCompatible(recorded.shape[d], want.shape[d]);
    }
    if (!agree) {
      return InvalidArgument(DescribeNode(node) + ": output " + Quoted(*node.output(i)) +
                             " is recorded as " + recorded.ToString() + " but the op infers " +
                             want.ToString());
    }
  }
  return OkStatus();
}

}  // namespace

Status VerifyGraph(const Graph& g) {
  ValueSet defined;
  HETERO_RETURN_IF_ERROR(CollectDefinitions(g, defined));
  for (const auto& node : g.nodes()) HETERO_RETURN_IF_ERROR(CheckNode(*node, defined));
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    const Value* v = g.outputs()[i];
    if (v == nullptr) return InvalidArgument("graph output " + std::to_string(i) + " is unset");
    if (!defined.count(v)) {
      return InvalidArgument("graph output " + Quoted(*v) + " is never defined");
    }
  }
  HETERO_ASSIGN_OR_RETURN(std::vector<const Node*> order, OrderNodes(g));
  for (const Node* node : order) HETERO_RETURN_IF_ERROR(CheckRecordedTypes(*node));
  return OkStatus();
}

}  // namespace hetero::ir
