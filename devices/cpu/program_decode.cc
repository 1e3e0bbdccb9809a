// Decodes a hetero_graph_view into a Program, checking every index and every node.
#include <algorithm>
#include <string>

#include "devices/cpu/kernels/gemm.h"
#include "devices/cpu/kernels/int8_gemm.h"
#include "devices/cpu/program.h"

namespace hetero::cpu {
namespace {

std::string ValueName(const hetero_value_view& v, uint32_t i) {
  return v.name != nullptr ? std::string(v.name) : "value " + std::to_string(i);
}

std::string NodeName(const hetero_node_view& n, uint32_t i) {
  return n.name != nullptr ? std::string(n.name) : "node" + std::to_string(i);
}

std::string DescribeViewNode(const hetero_node_view& n, uint32_t i) {
  return "node '" + NodeName(n, i) + "' (" + (n.op != nullptr ? n.op : "?") + ")";
}

template <typename T>
Status CheckArray(const T* base, uint64_t count, const char* what) {
  if (count == 0) return OkStatus();
  if (base == nullptr) return InvalidArgument(std::string(what) + " is NULL");
  for (uint64_t i = 0; i < count; ++i) {
    if (base[i].struct_size != sizeof(T)) {
      return InvalidArgument(std::string(what) + "[" + std::to_string(i) + "].struct_size is " +
                             std::to_string(base[i].struct_size) + ", expected " +
                             std::to_string(sizeof(T)) + " (array elements are frozen)");
    }
  }
  return OkStatus();
}

StatusOr<ops::AttrValue> DecodeAttr(const hetero_attr& a) {
  const bool needs_array = a.count > 0;
  switch (a.kind) {
    case HETERO_ATTR_INT: return ops::AttrValue(a.i);
    case HETERO_ATTR_FLOAT: return ops::AttrValue(a.f);
    case HETERO_ATTR_STRING:
      if (a.s == nullptr) return InvalidArgument("string is NULL");
      return ops::AttrValue(std::string(a.s));
    case HETERO_ATTR_INTS:
      if (needs_array && a.ints == nullptr) return InvalidArgument("ints is NULL");
      return ops::AttrValue(std::vector<int64_t>(a.ints, a.ints + a.count));
    case HETERO_ATTR_FLOATS:
      if (needs_array && a.floats == nullptr) return InvalidArgument("floats is NULL");
      return ops::AttrValue(std::vector<double>(a.floats, a.floats + a.count));
    case HETERO_ATTR_STRINGS: {
      if (needs_array && a.strings == nullptr) return InvalidArgument("strings is NULL");
      std::vector<std::string> out;
      for (uint64_t i = 0; i < a.count; ++i) {
        if (a.strings[i] == nullptr)
          return InvalidArgument("strings[" + std::to_string(i) + "] is NULL");
        out.emplace_back(a.strings[i]);
      }
      return ops::AttrValue(std::move(out));
    }
    default: return InvalidArgument("unknown kind " + std::to_string(a.kind));
  }
}

StatusOr<ops::Attributes> DecodeAttributes(const hetero_node_view& n) {
  HETERO_RETURN_IF_ERROR(CheckArray(n.attrs, n.num_attrs, "attrs"));
  ops::Attributes attrs;
  for (uint32_t i = 0; i < n.num_attrs; ++i) {
    const hetero_attr& a = AbiElement(n.attrs, i);
    if (a.name == nullptr)
      return InvalidArgument("attribute " + std::to_string(i) + " has no name");
    auto value = DecodeAttr(a);
    if (!value.ok()) return value.status().WithContext("attribute '" + std::string(a.name) + "'");
    attrs.Set(a.name, std::move(*value));
  }
  return attrs;
}

// The operand whose element type the schema's dtypes list describes.
int MainOperand(const ops::OpSchema& schema) { return schema.name == "Where" ? 1 : 0; }

// The output types the view declares agree with the inferred ones (a dim unknown on
// either side agrees with anything).
Status CheckDeclaredOutputs(const hetero_graph_view& view, const hetero_node_view& n,
                            const std::vector<TensorType>& inferred) {
  if (inferred.size() != n.num_outputs) {
    return InvalidArgument("inference gives " + std::to_string(inferred.size()) +
                           " outputs, the view " + std::to_string(n.num_outputs));
  }
  for (uint32_t o = 0; o < n.num_outputs; ++o) {
    const int32_t v = n.outputs[o];
    if (v < 0 || static_cast<uint32_t>(v) >= view.num_values) {
      return InvalidArgument("output " + std::to_string(o) + " is value " + std::to_string(v) +
                             ", outside the view's values");
    }
    const hetero_value_view& vv = AbiElement(view.values, v);
    HETERO_ASSIGN_OR_RETURN(TensorType declared,
                            DecodeDesc(vv.type, "value '" + ValueName(vv, v) + "'"));
    const TensorType& got = inferred[o];
    bool agree = declared.dtype == got.dtype && declared.shape.rank() == got.shape.rank();
    for (size_t d = 0; agree && d < got.shape.rank(); ++d) {
      agree = !declared.shape[d].is_static() || !got.shape[d].is_static() ||
              declared.shape[d].value() == got.shape[d].value();
    }
    if (!agree) {
      return InvalidArgument("output '" + ValueName(vv, v) + "' is declared " +
                             declared.ToString() + " but inference gives " + got.ToString());
    }
  }
  return OkStatus();
}

// A node of the view checked alone: indices, schema, arity, dtype, inference, and the
// declared output types against the inferred ones.
struct CheckedNode {
  const ops::OpSchema* schema = nullptr;
  ops::Attributes attrs;
};

StatusOr<CheckedNode> CheckNode(const hetero_graph_view& view, uint32_t index,
                                const std::vector<std::optional<Tensor>>& constants) {
  const hetero_node_view& n = AbiElement(view.nodes, index);
  CheckedNode out;
  if (n.op == nullptr) return InvalidArgument("op is NULL");
  out.schema = ops::FindOp(n.op);
  if (out.schema == nullptr)
    return NotFound("op '" + std::string(n.op) + "' is not in hetero's op set");
  if ((n.num_inputs > 0 && n.inputs == nullptr) || (n.num_outputs > 0 && n.outputs == nullptr)) {
    return InvalidArgument("inputs or outputs is NULL");
  }
  HETERO_ASSIGN_OR_RETURN(out.attrs, DecodeAttributes(n));
  HETERO_RETURN_IF_ERROR(ops::CheckArity(*out.schema, n.num_inputs, n.num_outputs, out.attrs));
  std::vector<TensorType> types(n.num_inputs);
  std::vector<const TensorType*> type_ptrs(n.num_inputs, nullptr);
  std::vector<const Tensor*> values(n.num_inputs, nullptr);
  for (uint32_t i = 0; i < n.num_inputs; ++i) {
    const int32_t v = n.inputs[i];
    if (v == -1) continue;
    if (v < 0 || static_cast<uint32_t>(v) >= view.num_values) {
      return InvalidArgument("input " + std::to_string(i) + " is value " + std::to_string(v) +
                             ", outside the view's " + std::to_string(view.num_values) + " values");
    }
    const hetero_value_view& vv = AbiElement(view.values, v);
    HETERO_ASSIGN_OR_RETURN(types[i], DecodeDesc(vv.type, "value '" + ValueName(vv, v) + "'"));
    type_ptrs[i] = &types[i];
    if (constants[v]) values[i] = &*constants[v];
  }
  const int main = MainOperand(*out.schema);
  if (main < static_cast<int>(n.num_inputs) && type_ptrs[main] != nullptr) {
    const DType dt = types[main].dtype;
    const auto& ok = out.schema->dtypes;
    if (std::find(ok.begin(), ok.end(), dt) == ok.end()) {
      return Unimplemented(out.schema->name + " does not take " + std::string(DTypeName(dt)));
    }
  }
  ops::InferContext ctx{type_ptrs, values, out.attrs, n.num_outputs};
  HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> inferred, out.schema->infer(ctx));
  HETERO_RETURN_IF_ERROR(CheckDeclaredOutputs(view, n, inferred));
  return out;
}

Status CheckIndexList(const int32_t* list, uint32_t count, uint32_t num_values, const char* what) {
  if (count > 0 && list == nullptr) return InvalidArgument(std::string(what) + " is NULL");
  for (uint32_t i = 0; i < count; ++i) {
    if (list[i] < 0 || static_cast<uint32_t>(list[i]) >= num_values) {
      return InvalidArgument(std::string(what) + "[" + std::to_string(i) +
                             "] = " + std::to_string(list[i]) + " is not a value index");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<std::optional<Tensor>>> DecodeConstants(const hetero_graph_view& view) {
  std::vector<std::optional<Tensor>> constants(view.num_values);
  for (uint32_t i = 0; i < view.num_values; ++i) {
    const hetero_value_view& v = AbiElement(view.values, i);
    if (v.constant_data == nullptr) continue;
    const std::string what = "constant '" + ValueName(v, i) + "'";
    HETERO_ASSIGN_OR_RETURN(TensorType type, DecodeDesc(v.type, what));
    auto dims = type.shape.StaticDims();
    if (!dims) return InvalidArgument(what + " has dims not known: " + type.shape.ToString());
    HETERO_ASSIGN_OR_RETURN(int64_t count, CheckedElementCount(*dims));
    if (static_cast<uint64_t>(count) * DTypeSize(type.dtype) != v.constant_bytes) {
      return InvalidArgument(what + " is " + type.ToString() + " but has " +
                             std::to_string(v.constant_bytes) + " bytes");
    }
    constants[i] = Tensor::Borrow(type.dtype, *dims, v.constant_data, nullptr);
  }
  return constants;
}

StatusOr<TensorType> DecodeDesc(const hetero_tensor_desc& desc, const std::string& what) {
  if (desc.dtype < 0 || desc.dtype >= HETERO_DTYPE_COUNT) {
    return InvalidArgument(what + ": unknown dtype " + std::to_string(desc.dtype));
  }
  if (desc.rank < 0 || desc.rank > HETERO_MAX_RANK) {
    return InvalidArgument(what + ": rank " + std::to_string(desc.rank) + " is outside [0, 8]");
  }
  TensorType t;
  t.dtype = static_cast<DType>(desc.dtype);
  for (int32_t d = 0; d < desc.rank; ++d) {
    if (desc.dims[d] < -1) {
      return InvalidArgument(what + ": dim " + std::to_string(d) + " is " +
                             std::to_string(desc.dims[d]));
    }
    t.shape.dims().push_back(desc.dims[d] == -1 ? Dim::Unknown() : Dim(desc.dims[d]));
  }
  return t;
}

Status CheckViewHeader(const hetero_graph_view* view) {
  if (view == nullptr) return InvalidArgument("graph view is NULL");
  if (view->struct_size < sizeof(hetero_graph_view)) {
    return InvalidArgument("graph view struct_size " + std::to_string(view->struct_size) +
                           " is smaller than " + std::to_string(sizeof(hetero_graph_view)));
  }
  if (view->opset_version != 1) {
    return Unimplemented("op set version " + std::to_string(view->opset_version) +
                         " (this plugin knows version 1)");
  }
  HETERO_RETURN_IF_ERROR(CheckArray(view->values, view->num_values, "graph view values"));
  HETERO_RETURN_IF_ERROR(CheckArray(view->nodes, view->num_nodes, "graph view nodes"));
  HETERO_RETURN_IF_ERROR(
      CheckIndexList(view->inputs, view->num_inputs, view->num_values, "graph inputs"));
  return CheckIndexList(view->outputs, view->num_outputs, view->num_values, "graph outputs");
}

std::string NodeSupportReason(const hetero_graph_view& view, uint32_t index,
                              const std::vector<std::optional<Tensor>>& constants) {
  auto checked = CheckNode(view, index, constants);
  return checked.ok() ? "" : checked.status().message();
}

namespace {

// Marks a node's outputs as produced by it; each value is produced once, after its uses
// are checked to be defined (the view's nodes come in topological order).
Status LinkNode(const hetero_graph_view& view, uint32_t index, Program& p,
                std::vector<bool>& defined) {
  const hetero_node_view& n = AbiElement(view.nodes, index);
  ProgramNode& node = p.nodes.back();
  for (uint32_t i = 0; i < n.num_inputs; ++i) {
    const int32_t v = n.inputs[i];
    if (v >= 0 && !defined[v]) {
      return InvalidArgument(
          "input '" + p.values[v].name +
          "' is used before it is produced (nodes must be in topological order)");
    }
    node.inputs.push_back(v);
  }
  for (uint32_t o = 0; o < n.num_outputs; ++o) {
    const int32_t v = n.outputs[o];
    if (defined[v]) return InvalidArgument("output '" + p.values[v].name + "' is already defined");
    defined[v] = true;
    p.values[v].producer = static_cast<int32_t>(index);
    node.outputs.push_back(v);
  }
  return OkStatus();
}

}  // namespace

StatusOr<Program> DecodeProgram(const hetero_graph_view& view) {
  HETERO_RETURN_IF_ERROR(CheckViewHeader(&view));
  HETERO_ASSIGN_OR_RETURN(auto constants, DecodeConstants(view));
  Program p;
  p.values.resize(view.num_values);
  std::vector<bool> defined(view.num_values, false);
  for (uint32_t i = 0; i < view.num_values; ++i) {
    const hetero_value_view& v = AbiElement(view.values, i);
    ProgramValue& pv = p.values[i];
    pv.name = ValueName(v, i);
    HETERO_ASSIGN_OR_RETURN(TensorType type, DecodeDesc(v.type, "value '" + pv.name + "'"));
    pv.dtype = type.dtype;
    for (const Dim& d : type.shape.dims()) pv.dims.push_back(d.value());
    pv.constant = constants[i];
    defined[i] = pv.constant.has_value();
  }
  for (uint32_t i = 0; i < view.num_inputs; ++i) {
    const int32_t v = view.inputs[i];
    if (defined[v])
      return InvalidArgument("graph input '" + p.values[v].name +
                             "' is also a constant or listed twice");
    defined[v] = true;
    p.inputs.push_back(v);
  }
  for (uint32_t i = 0; i < view.num_nodes; ++i) {
    const hetero_node_view& n = AbiElement(view.nodes, i);
    auto checked = CheckNode(view, i, constants);
    if (!checked.ok()) return checked.status().WithContext(DescribeViewNode(n, i));
    p.nodes.push_back(
        ProgramNode{checked->schema, NodeName(n, i), std::move(checked->attrs), {}, {}});
    Status linked = LinkNode(view, i, p, defined);
    if (!linked.ok()) return linked.WithContext(DescribeViewNode(n, i));
  }
  for (uint32_t i = 0; i < view.num_outputs; ++i) {
    const int32_t v = view.outputs[i];
    if (!defined[v])
      return InvalidArgument("graph output '" + p.values[v].name + "' is never produced");
    p.outputs.push_back(v);
  }
  PlanProgram(p);
  return p;
}

// QuantMatMul's int8 weights and their scales, when both are constants.
std::shared_ptr<const PackedInt8Weights> PackQuantWeights(const Program& p,
                                                          const ProgramNode& node) {
  if (node.inputs.size() < 3 || node.inputs[1] < 0 || node.inputs[2] < 0) return nullptr;
  const ProgramValue& b = p.values[node.inputs[1]];
  const ProgramValue& scale = p.values[node.inputs[2]];
  if (!b.constant || !scale.constant) return nullptr;
  auto packed =
      PackInt8Weights(*b.constant, node.attrs.GetInt("transpose_b", 0) != 0, *scale.constant);
  return packed.ok() ? *packed : nullptr;
}

void PackConstantWeights(Program& p, bool bf16) {
  p.bf16_weights = bf16;
  p.packed.assign(p.nodes.size(), nullptr);
  p.packed_i8.assign(p.nodes.size(), nullptr);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const ProgramNode& node = p.nodes[i];
    if (node.schema->name == "QuantMatMul") p.packed_i8[i] = PackQuantWeights(p, node);
    if (node.schema->name != "MatMul" && node.schema->name != "FusedMatMul") continue;
    if (node.inputs.size() < 2 || node.inputs[1] < 0) continue;
    const ProgramValue& b = p.values[node.inputs[1]];
    if (!b.constant || b.constant->dtype() != DType::kF32 || b.constant->rank() != 2) continue;
    if (node.attrs.GetInt("transpose_a", 0) != 0) continue;
    auto packed = PackWeights(*b.constant, node.attrs.GetInt("transpose_b", 0) != 0, bf16);
    if (packed.ok()) p.packed[i] = std::move(*packed);
  }
}

void PlanProgram(Program& p) {
  LevelPlan plan = PlanLevels(p, std::vector<int32_t>(p.nodes.size(), -1));
  p.levels = std::move(plan.levels);
  p.release = std::move(plan.release);
  p.chains.clear();
  p.chain_ending_at.clear();
  p.chain_levels.clear();
  p.chain_release.clear();
  PackConstantWeights(p, /*bf16=*/false);
}

LevelPlan PlanLevels(const Program& p, const std::vector<int32_t>& runs_with) {
  std::vector<int32_t> node_level(p.nodes.size(), 0);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    int32_t level = 0;
    for (int32_t v : p.nodes[i].inputs) {
      if (v >= 0 && p.values[v].producer >= 0) {
        level = std::max(level, node_level[p.values[v].producer] + 1);
      }
    }
    node_level[i] = level;
  }
  LevelPlan plan;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const auto level = static_cast<size_t>(node_level[i]);
    if (plan.levels.size() <= level) plan.levels.resize(level + 1);
    if (runs_with[i] < 0) plan.levels[level].push_back(static_cast<int32_t>(i));
  }
  std::vector<int32_t> last_level(p.values.size(), -1);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const int32_t runs_at = node_level[runs_with[i] >= 0 ? runs_with[i] : i];
    for (int32_t v : p.nodes[i].inputs) {
      if (v >= 0) last_level[v] = std::max(last_level[v], runs_at);
    }
  }
  for (int32_t v : p.outputs) last_level[v] = -1;  // kept to the end
  plan.release.assign(plan.levels.size(), {});
  for (size_t v = 0; v < p.values.size(); ++v) {
    if (last_level[v] >= 0 && p.values[v].producer >= 0) {
      plan.release[last_level[v]].push_back(static_cast<int32_t>(v));
    }
  }
  return plan;
}

}  // namespace hetero::cpu
