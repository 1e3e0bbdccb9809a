// The reference executor: input checks, then one reference kernel per node.
#include "runtime/session/reference_executor.h"

#include <unordered_map>
#include <unordered_set>

namespace hetero {

std::string DescribeInputs(const ir::Graph& graph) {
  std::string out;
  for (const ir::Value* in : graph.inputs()) {
    if (!out.empty()) out += ", ";
    out += in->name() + ": " + in->type().ToString();
  }
  return out;
}

Status CheckInputs(const ir::Graph& graph, const std::map<std::string, Tensor>& inputs) {
  std::vector<std::string> missing;
  for (const ir::Value* in : graph.inputs()) {
    if (!inputs.count(in->name())) missing.push_back(in->name());
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    return InvalidArgument("missing input " + names + "; the model expects " +
                           DescribeInputs(graph));
  }
  for (const auto& [name, tensor] : inputs) {
    const ir::Value* v = graph.FindValue(name);
    if (v == nullptr || !v->is_graph_input()) {
      return InvalidArgument("unknown input '" + name + "'; the model expects " +
                             DescribeInputs(graph));
    }
  }
  std::unordered_map<std::string, int64_t> symbols;
  for (const ir::Value* in : graph.inputs()) {
    const Tensor& t = inputs.at(in->name());
    const TensorType& want = in->type();
    const std::string got = t.type().ToString();
    if (t.dtype() != want.dtype || t.rank() != want.shape.rank()) {
      return InvalidArgument("input '" + in->name() + "' is " + got + ", expected " +
                             want.ToString());
    }
    for (size_t i = 0; i < t.rank(); ++i) {
      const Dim& d = want.shape[i];
      if (d.is_static() && d.value() != t.dim(i)) {
        return InvalidArgument("input '" + in->name() + "' is " + got + ", expected " +
                               want.ToString() + " (dim " + std::to_string(i) + ")");
      }
      if (d.is_symbol()) {
        auto [it, inserted] = symbols.emplace(d.symbol(), t.dim(i));
        if (!inserted && it->second != t.dim(i)) {
          return InvalidArgument("input '" + in->name() + "' is " + got + ", but '" + d.symbol() +
                                 "' is " + std::to_string(it->second) + " in another input");
        }
      }
    }
  }
  return OkStatus();
}

namespace {

Status RunNode(const ir::Node& node, std::unordered_map<const ir::Value*, Tensor>& env) {
  std::vector<const Tensor*> in_tensors;
  std::vector<TensorType> in_types;
  in_types.reserve(node.inputs().size());
  for (const ir::Value* v : node.inputs()) {
    if (v == nullptr) {
      in_tensors.push_back(nullptr);
      continue;
    }
    auto it = env.find(v);
    if (it == env.end()) {
      return Internal(ir::DescribeNode(node) + ": input '" + v->name() + "' has no value");
    }
    in_tensors.push_back(&it->second);
  }
  for (const Tensor* t : in_tensors) in_types.push_back(t ? t->type() : TensorType{});
  std::vector<const TensorType*> type_ptrs;
  for (size_t i = 0; i < in_tensors.size(); ++i) {
    type_ptrs.push_back(in_tensors[i] ? &in_types[i] : nullptr);
  }
  ops::InferContext ictx{type_ptrs, in_tensors, node.attrs(), node.outputs().size()};
  auto out_types = node.schema().infer(ictx);
  if (!out_types.ok()) return out_types.status().WithContext(ir::DescribeNode(node));
  std::vector<Tensor> outs;
  for (const TensorType& t : *out_types) {
    auto dims = t.shape.StaticDims();
    if (!dims) {
      return Internal(ir::DescribeNode(node) + ": output shape " + t.shape.ToString() +
                      " is not concrete at run time");
    }
    auto tensor = Tensor::Allocate(t.dtype, *dims);
    if (!tensor.ok()) return tensor.status().WithContext(ir::DescribeNode(node));
    outs.push_back(std::move(*tensor));
  }
  std::vector<Tensor*> out_ptrs;
  for (Tensor& t : outs) out_ptrs.push_back(&t);
  ops::KernelContext kctx{in_tensors, out_ptrs, node.attrs()};
  Status s = node.schema().reference(kctx);
  if (!s.ok()) return s.WithContext(ir::DescribeNode(node));
  for (size_t i = 0; i < outs.size(); ++i) env[node.output(i)] = std::move(outs[i]);
  return OkStatus();
}

// Runs every node; values in `keep` stay in `env` to the end, the others are freed
// after their last use so peak memory stays near the live set.
Status RunAll(const ir::Graph& graph, const std::map<std::string, Tensor>& inputs,
              const std::unordered_set<const ir::Value*>& keep,
              std::unordered_map<const ir::Value*, Tensor>& env) {
  HETERO_RETURN_IF_ERROR(CheckInputs(graph, inputs));
  HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph.TopologicalOrder());
  for (const ir::Value* in : graph.inputs()) env[in] = inputs.at(in->name());
  for (const ir::Value* c : graph.constants()) env[c] = *c->constant();
  std::unordered_map<const ir::Value*, size_t> last_use;
  for (size_t i = 0; i < order.size(); ++i) {
    for (const ir::Value* v : order[i]->inputs()) {
      if (v) last_use[v] = i;
    }
  }
  for (const ir::Value* out : graph.outputs()) last_use[out] = order.size();
  for (const ir::Value* v : keep) last_use[v] = order.size();
  for (size_t i = 0; i < order.size(); ++i) {
    HETERO_RETURN_IF_ERROR(RunNode(*order[i], env));
    for (const ir::Value* v : order[i]->inputs()) {
      if (v && last_use[v] == i && v->producer()) env.erase(v);
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<Tensor>> RunReference(const ir::Graph& graph,
                                           const std::map<std::string, Tensor>& inputs) {
  std::unordered_map<const ir::Value*, Tensor> env;
  HETERO_RETURN_IF_ERROR(RunAll(graph, inputs, {}, env));
  std::vector<Tensor> results;
  for (const ir::Value* out : graph.outputs()) {
    auto it = env.find(out);
    if (it == env.end()) return Internal("graph output '" + out->name() + "' was not computed");
    results.push_back(it->second);
  }
  return results;
}

StatusOr<std::map<std::string, Tensor>> RunReferenceValues(
    const ir::Graph& graph, const std::map<std::string, Tensor>& inputs,
    const std::vector<std::string>& names) {
  std::unordered_set<const ir::Value*> keep;
  for (const std::string& name : names) {
    const ir::Value* v = graph.FindValue(name);
    if (v == nullptr) return InvalidArgument("the graph has no value '" + name + "'");
    keep.insert(v);
  }
  std::unordered_map<const ir::Value*, Tensor> env;
  HETERO_RETURN_IF_ERROR(RunAll(graph, inputs, keep, env));
  std::map<std::string, Tensor> out;
  for (const ir::Value* v : keep) {
    auto it = env.find(v);
    if (it == env.end()) return Internal("value '" + v->name() + "' was not computed");
    out[v->name()] = it->second;
  }
  return out;
}

}  // namespace hetero
