// query_support: a node is claimed when hetero's schema accepts it and one of this
// plugin's kernels implements it exactly for its element types and attributes.
#include <set>
#include <string>
#include <vector>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/executable.h"

namespace hetero::opencl {
namespace {

const std::set<std::string> kFloatOps = {
    "Add",     "Sub",         "Mul",       "Div",        "Neg",       "Exp",
    "Log",     "Sqrt",        "Rsqrt",     "Reciprocal", "Erf",       "Tanh",
    "Sigmoid", "Relu",        "Silu",      "Cos",        "Sin",       "Gelu",
    "SwiGLU",  "Rope",        "Softmax",   "LogSoftmax", "LayerNorm", "RMSNorm",
    "MatMul",  "FusedMatMul", "ReduceSum", "ReduceMean", "ReduceMax", "Pow"};
const std::set<std::string> kMoveOps = {"Reshape",  "Squeeze",   "Unsqueeze", "Flatten",
                                        "Identity", "Transpose", "Expand",    "Concat",
                                        "Split",    "Slice",     "Trilu"};

struct NodeInfo {
  const hetero_graph_view& view;
  const hetero_node_view& node;
  const hetero_value_view* Input(uint32_t i) const {
    if (i >= node.num_inputs || node.inputs[i] < 0) return nullptr;
    return &view.values[node.inputs[i]];
  }
  const hetero_value_view* Output(uint32_t i) const { return &view.values[node.outputs[i]]; }
  bool IsConstantInput(uint32_t i) const {
    const hetero_value_view* v = Input(i);
    return v == nullptr || v->constant_data != nullptr;
  }
  const hetero_attr* Attr(const char* name) const {
    for (uint32_t a = 0; a < node.num_attrs; ++a) {
      if (node.attrs[a].name != nullptr && std::string(node.attrs[a].name) == name) {
        return &node.attrs[a];
      }
    }
    return nullptr;
  }
};

// Dims of `small` (without leading 1s) must equal the trailing dims of x from `axis`.
bool TrailingMatch(const hetero_tensor_desc& x, int64_t axis, const hetero_tensor_desc& small) {
  int first = 0;
  while (first < small.rank && small.dims[first] == 1) ++first;
  const int n = small.rank - first;
  if (axis < 0) axis += x.rank;
  if (n > x.rank - axis) return false;
  for (int j = 0; j < n; ++j) {
    const int64_t s = small.dims[first + j], xd = x.dims[x.rank - n + j];
    if (s < 0 || (xd >= 0 && s != xd) || (xd < 0 && s == 1)) return false;
  }
  return true;
}

bool FloatStorage(int32_t dtype) { return dtype == HETERO_DTYPE_F32 || dtype == HETERO_DTYPE_F16; }

// Float kernels store f32 or f16 (one of them per node; arithmetic is f32 either way).
// Attention's mask and LayerNorm's statistics outputs (f32 by schema) are checked apart.
std::string FloatReason(const NodeInfo& n, const std::string& op) {
  const int32_t dtype = n.Input(0)->type.dtype;
  if (!FloatStorage(dtype)) return "the OpenCL kernels of " + op + " take f32 or f16 only";
  for (uint32_t i = 0; i < n.node.num_inputs + n.node.num_outputs; ++i) {
    const hetero_value_view* v =
        i < n.node.num_inputs ? n.Input(i) : n.Output(i - n.node.num_inputs);
    if (v == nullptr || (op == "Attention" && i == 3)) continue;
    if (op == "LayerNorm" && i > n.node.num_inputs) continue;
    if (v->type.dtype != dtype) {
      return "the OpenCL kernels of " + op + " take operands of one dtype, f32 or f16";
    }
  }
  return "";
}

std::string OpReason(const NodeInfo& n, const std::string& op) {
  const hetero_tensor_desc& x = n.Input(0)->type;
  if (op == "LayerNorm" || op == "RMSNorm") {
    const hetero_attr* axis = n.Attr("axis");
    const int64_t a = axis != nullptr ? axis->i : -1;
    for (uint32_t i = 1; i < n.node.num_inputs; ++i) {
      if (n.Input(i) != nullptr && !TrailingMatch(x, a, n.Input(i)->type)) {
        return "scale and bias must match the normalized dims (after leading 1s)";
      }
    }
  }
  if (op == "FusedMatMul" && n.Input(2) != nullptr) {
    const hetero_tensor_desc& b = n.Input(2)->type;
    for (int d = 0; d + 2 < b.rank; ++d) {
      if (b.dims[d] != 1) return "a FusedMatMul bias with batch dims is not supported";
    }
  }
  return "";
}

std::string AttentionReason(const NodeInfo& n) {
  for (uint32_t i = 0; i < 3; ++i) {
    if (n.Input(i)->type.rank != 4) return "Attention needs rank-4 q, k and v";
  }
  const int64_t dv = n.Input(2)->type.dims[3];
  if (dv < 0 || dv > 256) return "Attention on OpenCL needs a static value dim of at most 256";
  const hetero_value_view* mask = n.Input(3);
  if (mask != nullptr &&
      ((mask->type.dtype != HETERO_DTYPE_BOOL && !FloatStorage(mask->type.dtype)) ||
       mask->type.rank > 4)) {
    return "an Attention mask must be bool, f32 or f16 of rank at most 4";
  }
  return "";
}

// The element types of cast_any and compare_any.
bool CastType(int32_t dtype) {
  return FloatStorage(dtype) || dtype == HETERO_DTYPE_I64 || dtype == HETERO_DTYPE_I32 ||
         dtype == HETERO_DTYPE_BOOL;
}

bool IntegerStorage(const hetero_value_view* v) {
  return v != nullptr && (v->type.dtype == HETERO_DTYPE_I64 || v->type.dtype == HETERO_DTYPE_I32);
}

// Integer kernels: Add Sub Mul Div Pow Neg Relu wrap like the dtype (Div and Pow check
// for elements without a value), ReduceSum ReduceMean ReduceMax; operands of one dtype.
bool IntegerKernel(const NodeInfo& n, const std::string& op) {
  static const std::set<std::string> kOps = {"Add", "Sub",  "Mul",       "Div",        "Pow",
                                             "Neg", "Relu", "ReduceSum", "ReduceMean", "ReduceMax"};
  if (kOps.count(op) == 0 || !IntegerStorage(n.Input(0))) return false;
  const int32_t dtype = n.Input(0)->type.dtype;
  for (uint32_t i = 1; i < n.node.num_inputs; ++i) {
    if (n.Input(i) != nullptr && n.Input(i)->type.dtype != dtype) return false;
  }
  return n.Output(0)->type.dtype == dtype;
}

}  // namespace

bool HostEvaluable(const std::string& op, bool inputs_known, int present_inputs) {
  return op == "Shape" || op == "Size" || (inputs_known && present_inputs > 0);
}

std::vector<bool> HostKnownValues(const hetero_graph_view& view) {
  std::vector<bool> known(view.num_values, false);
  for (uint32_t v = 0; v < view.num_values; ++v) known[v] = view.values[v].constant_data != nullptr;
  for (uint32_t i = 0; i < view.num_nodes; ++i) {
    const hetero_node_view& node = view.nodes[i];
    bool all = true;
    int present = 0;
    for (uint32_t k = 0; k < node.num_inputs; ++k) {
      if (node.inputs[k] < 0) continue;
      ++present;
      all = all && known[node.inputs[k]];
    }
    if (!HostEvaluable(node.op != nullptr ? node.op : "", all, present)) continue;
    for (uint32_t o = 0; o < node.num_outputs; ++o) {
      if (node.outputs[o] >= 0) known[node.outputs[o]] = true;
    }
  }
  return known;
}

std::string OpenclReason(const hetero_graph_view& view, uint32_t index,
                         const std::vector<std::optional<Tensor>>& constants,
                         const std::vector<bool>& host_known) {
  std::string reason = cpu::NodeSupportReason(view, index, constants);
  if (!reason.empty()) return reason;
  const NodeInfo n{view, view.nodes[index]};
  const std::string op = n.node.op;
  if (n.node.num_outputs > 0 && host_known[n.node.outputs[0]]) return "";  // on the host
  if (IntegerKernel(n, op)) return "";
  if (kFloatOps.count(op) != 0) {
    reason = FloatReason(n, op);
    return reason.empty() ? OpReason(n, op) : reason;
  }
  if (op == "Attention") {
    reason = FloatReason(n, op);
    return reason.empty() ? AttentionReason(n) : reason;
  }
  if (op == "Where") {  // selects elements by size: any dtype
    return n.Input(0)->type.dtype == HETERO_DTYPE_BOOL ? "" : "Where needs a bool condition";
  }
  if (op == "Equal" || op == "Less" || op == "Greater") {
    return CastType(n.Input(0)->type.dtype) ? ""
                                            : op + " on OpenCL takes f32, f16, i64, i32 or bool";
  }
  if (op == "And" || op == "Or" || op == "Not") return "";
  if (op == "Cast") {
    if (!CastType(n.Input(0)->type.dtype) || !CastType(n.Output(0)->type.dtype)) {
      return "Cast on OpenCL converts between f32, f16, i64, i32 and bool only";
    }
    return "";
  }
  if (op == "Gather") return "";  // copies elements by size: any dtype
  if (kMoveOps.count(op) != 0) {
    for (uint32_t i = 1; op != "Concat" && i < n.node.num_inputs; ++i) {
      if (n.Input(i) != nullptr && !host_known[n.node.inputs[i]]) {
        return op +
               " on OpenCL needs its shape-like inputs known on the host (constants or "
               "shape arithmetic)";
      }
    }
    return "";
  }
  return "no OpenCL kernel for " + op;
}

namespace abi {

hetero_status* QuerySupport(hetero_device* handle, const hetero_graph_view* graph,
                            hetero_support_result* result) {
  return cpu::Guard("opencl query_support", [&]() -> Status {
    HETERO_RETURN_IF_ERROR(FromHandle(handle, "query_support").status());
    HETERO_RETURN_IF_ERROR(cpu::CheckViewHeader(graph));
    if (result == nullptr || result->struct_size < sizeof(hetero_support_result)) {
      return InvalidArgument("opencl query_support: result is NULL or too small");
    }
    if (graph->num_nodes > 0 && result->support == nullptr) {
      return InvalidArgument("opencl query_support: result->support is NULL");
    }
    HETERO_ASSIGN_OR_RETURN(auto constants, cpu::DecodeConstants(*graph));
    const std::vector<bool> host_known = HostKnownValues(*graph);
    for (uint32_t i = 0; i < graph->num_nodes; ++i) {
      const std::string reason = OpenclReason(*graph, i, constants, host_known);
      result->support[i] = reason.empty() ? HETERO_SUPPORT_YES : HETERO_SUPPORT_NO;
      if (!reason.empty() && result->set_reason != nullptr) {
        result->set_reason(result->reason_context, i, reason.c_str());
      }
    }
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::opencl
