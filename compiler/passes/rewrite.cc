// Rewrite helpers shared by the passes: forwarding values, replacing nodes, constants.
#include "compiler/passes/rewrite.h"

#include <algorithm>

namespace hetero::passes {
namespace {

bool IsGraphOutput(const ir::Graph& graph, const ir::Value* v) {
  return std::find(graph.outputs().begin(), graph.outputs().end(), v) != graph.outputs().end();
}

// Frees `value`'s name for a replacement: renames it to a fresh "<name>.old".
StatusOr<std::string> ReleaseName(ir::Graph& graph, ir::Value* value) {
  std::string name = value->name();
  HETERO_RETURN_IF_ERROR(graph.RenameValue(value, graph.UniqueName(name + ".old")));
  return name;
}

}  // namespace

bool CanForward(const ir::Graph& graph, const ir::Value* from, const ir::Value* to) {
  if (from == to || !IsGraphOutput(graph, from)) return true;
  return !to->is_graph_input() && !IsGraphOutput(graph, to);
}

Status ForwardValue(ir::Graph& graph, ir::Value* from, ir::Value* to) {
  if (from == to) return OkStatus();
  if (IsGraphOutput(graph, from)) {
    if (!CanForward(graph, from, to)) {
      return FailedPrecondition("cannot forward graph output '" + from->name() + "' to '" +
                                to->name() + "'");
    }
    HETERO_ASSIGN_OR_RETURN(std::string name, ReleaseName(graph, from));
    HETERO_RETURN_IF_ERROR(graph.RenameValue(to, std::move(name)));
  }
  graph.ReplaceAllUses(from, to);
  return OkStatus();
}

StatusOr<ir::Node*> ReplaceNode(ir::Graph& graph, ir::Node* node, std::string_view op,
                                std::vector<ir::Value*> inputs, ops::Attributes attrs) {
  const std::string node_name = node->name();
  // Added under fresh names first, so that a node AddNode refuses changes nothing.
  HETERO_ASSIGN_OR_RETURN(ir::Node * added,
                          graph.AddNode(op, std::move(inputs), std::move(attrs),
                                        node->outputs().size(), graph.UniqueName(node_name)));
  for (size_t i = 0; i < added->outputs().size(); ++i) {
    ir::Value* old_out = node->output(i);
    ir::Value* out = added->output(i);
    HETERO_ASSIGN_OR_RETURN(TensorType type,
                            TightenType(out->type(), old_out->type(), DescribeNode(*added)));
    out->set_type(std::move(type));
    HETERO_ASSIGN_OR_RETURN(std::string name, ReleaseName(graph, old_out));
    HETERO_RETURN_IF_ERROR(graph.RenameValue(out, std::move(name)));
    graph.ReplaceAllUses(old_out, out);
  }
  HETERO_RETURN_IF_ERROR(graph.RemoveNodes({node}));
  HETERO_RETURN_IF_ERROR(graph.RenameNode(added, node_name));
  return added;
}

StatusOr<std::vector<ir::Value*>> ReplaceWithConstants(ir::Graph& graph, ir::Node* node,
                                                       std::vector<Tensor> values) {
  if (values.size() != node->outputs().size()) {
    return Internal(DescribeNode(*node) + ": wrong number of folded values");
  }
  std::vector<ir::Value*> constants;
  for (size_t i = 0; i < values.size(); ++i) {
    ir::Value* out = node->output(i);
    HETERO_ASSIGN_OR_RETURN(std::string name, ReleaseName(graph, out));
    HETERO_ASSIGN_OR_RETURN(ir::Value * c,
                            graph.AddConstant(std::move(name), std::move(values[i])));
    graph.ReplaceAllUses(out, c);
    constants.push_back(c);
  }
  return constants;
}

StatusOr<ir::Value*> AddIntsConstant(ir::Graph& graph, std::string_view stem,
                                     const std::vector<int64_t>& values) {
  return graph.AddConstant(graph.UniqueName(stem),
                           Tensor::FromInt64({static_cast<int64_t>(values.size())}, values));
}

std::optional<std::vector<int64_t>> ConstantInts(const ir::Value* value) {
  if (value == nullptr || !value->is_constant()) return std::nullopt;
  const Tensor& t = *value->constant();
  if (!IsInteger(t.dtype()) || t.rank() > 1) return std::nullopt;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(t.GetInt64(i));
  return out;
}

bool IsConstantFilledWith(const ir::Value* value, double x) {
  if (value == nullptr || !value->is_constant()) return false;
  const Tensor& t = *value->constant();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (t.GetDouble(i) != x) return false;
  }
  return true;
}

StatusOr<TensorType> TightenType(const TensorType& inferred, const TensorType& recorded,
                                 std::string_view what) {
  auto contradiction = [&] {
    return InvalidArgument(std::string(what) + ": inferred type " + inferred.ToString() +
                           " contradicts the recorded " + recorded.ToString());
  };
  if (inferred.dtype != recorded.dtype || inferred.shape.rank() != recorded.shape.rank()) {
    return contradiction();
  }
  TensorType out = inferred;
  for (size_t i = 0; i < out.shape.rank(); ++i) {
    const Dim& r = recorded.shape[i];
    Dim& d = out.shape[i];
    if (d.is_static() && r.is_static() && d.value() != r.value()) return contradiction();
    if (r.is_static() || (d.is_unknown() && r.is_symbol())) d = r;
  }
  return out;
}

bool SameKnownType(const TensorType& a, const TensorType& b) {
  if (a.dtype != b.dtype || a.shape.rank() != b.shape.rank()) return false;
  for (size_t i = 0; i < a.shape.rank(); ++i) {
    if (a.shape[i].is_unknown() || !(a.shape[i] == b.shape[i])) return false;
  }
  return true;
}

}  // namespace hetero::passes
