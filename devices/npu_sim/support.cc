// query_support for the simulated NPU: the ops an NPU of this kind runs, static shapes,
// the chip's number formats; every refusal says why, so placement sends the node to the
// host.
#include <set>
#include <string>

#include "devices/npu_sim/buckets.h"
#include "devices/npu_sim/npu_plugin.h"

namespace hetero::npu_sim {
namespace {

const std::set<std::string>& NpuOps() {
  static const auto* ops = new std::set<std::string>{
      "MatMul",  "FusedMatMul", "Attention", "Add",       "Sub",        "Mul",        "Div",
      "Neg",     "Exp",         "Log",       "Sqrt",      "Rsqrt",      "Reciprocal", "Erf",
      "Tanh",    "Sigmoid",     "Relu",      "Silu",      "Gelu",       "Softmax",    "LayerNorm",
      "RMSNorm", "Rope",        "SwiGLU",    "ReduceSum", "ReduceMean", "ReduceMax",  "Transpose",
      "Reshape", "Squeeze",     "Unsqueeze", "Concat",    "Split",      "Slice",      "Where"};
  return *ops;
}

bool IsFloatCompute(DType d) { return d == DType::kF32 || d == DType::kF16 || d == DType::kBF16; }

// Why a value cannot be an operand on the chip, or "".
// Dynamic dims are allowed: they are padded to a bucket (PaddingReason checks the op).
std::string ValueReason(const hetero_value_view& v, bool is_output) {
  const auto dtype = static_cast<DType>(v.type.dtype);
  if (IsFloatCompute(dtype)) return "";
  if (!is_output && dtype == DType::kBool) return "";       // masks and Where conditions
  if (!is_output && v.constant_data != nullptr) return "";  // shapes, axes, split sizes
  return "'" + std::string(v.name) + "' is " + std::string(DTypeName(dtype)) +
         ": integer tensors computed at run time stay on the host";
}

}  // namespace

std::string NpuSupportReason(const Preset& preset, const hetero_graph_view& view, uint32_t index,
                             const std::vector<std::optional<Tensor>>& constants) {
  const hetero_node_view& n = view.nodes[index];
  const std::string op = n.op != nullptr ? n.op : "";
  if (!preset.Supports(DType::kBF16) && !preset.Supports(DType::kF16) &&
      !preset.Supports(DType::kF32)) {
    return preset.name +
           " computes int8 only: npu-sim's int8 runs matrix ops in int8 beside a float "
           "vector unit, which this chip lacks";
  }
  if (!NpuOps().count(op)) {
    if (op == "Gather") return "Gather on integer indices runs on the host (embedding lookup)";
    return op + " has no engine on " + preset.name + " in npu-sim; it runs on the host";
  }
  for (uint32_t i = 0; i < n.num_inputs; ++i) {
    if (n.inputs[i] < 0) continue;
    std::string r = ValueReason(view.values[n.inputs[i]], false);
    if (!r.empty()) return r;
  }
  for (uint32_t o = 0; o < n.num_outputs; ++o) {
    std::string r = ValueReason(view.values[n.outputs[o]], true);
    if (!r.empty()) return r;
  }
  std::string padding = PaddingReason(view, index, constants);
  if (!padding.empty()) return padding;
  return cpu::NodeSupportReason(view, index, constants);
}

namespace {

// Splits "k=v;k=v" into items; a part without '=' that follows a buckets item continues
// it, so "buckets=seq:64,128;batch:1,4" reads as one option.
std::vector<std::pair<std::string, std::string>> SplitOptions(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> items;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos && !items.empty() && items.back().first == "buckets") {
      items.back().second += ";" + item;
      continue;
    }
    items.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
    if (eq == std::string::npos) items.back().first = item + " (no '=')";
  }
  return items;
}

}  // namespace

StatusOr<CompileOptions> ParseCompileOptions(const Preset& preset, const char* options) {
  CompileOptions out;
  out.dtype = preset.default_dtype;
  out.buckets = DefaultBuckets();
  for (const auto& [key, value] : SplitOptions(options != nullptr ? options : "")) {
    if (key == "buckets") {
      HETERO_ASSIGN_OR_RETURN(out.buckets, ParseBuckets(value));
      continue;
    }
    if (key == "calibrate") {
      out.calibrate = value;
      continue;
    }
    if (key == "fuse" && (value == "0" || value == "1")) {
      out.fuse = value == "1";
      continue;
    }
    if (key != "dtype" && key != "precision") {
      return InvalidArgument("compile options: unknown option '" + key +
                             "' (known: precision=, dtype=, buckets=, calibrate=, fuse=0|1)");
    }
    HETERO_ASSIGN_OR_RETURN(DType d, ParseComputeDType(value));
    if (!preset.Supports(d)) {
      return InvalidArgument("compile options: " + preset.name + " does not compute in " +
                             std::string(DTypeName(d)));
    }
    out.dtype = d;
  }
  if (out.dtype == DType::kI8 && out.calibrate.empty()) {
    return InvalidArgument(
        "compile options: precision=int8 needs calibrate=FILE.npy[,FILE.npy...] (one per input)");
  }
  return out;
}

void RoundTensor(Tensor& t, DType format) {
  if (t.dtype() != DType::kF32 || format == DType::kF32) return;
  RoundFloats(t.mutable_data<float>(), t.num_elements(), format, {});
}

namespace abi {

hetero_status* QuerySupport(hetero_device* handle, const hetero_graph_view* graph,
                            hetero_support_result* result) {
  return Guard("npu-sim query_support", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "query_support"));
    HETERO_RETURN_IF_ERROR(cpu::CheckViewHeader(graph));
    if (result == nullptr || result->struct_size < sizeof(hetero_support_result)) {
      return InvalidArgument("query_support: result is NULL or its struct_size is too small");
    }
    if (graph->num_nodes > 0 && result->support == nullptr) {
      return InvalidArgument("query_support: result->support is NULL");
    }
    HETERO_ASSIGN_OR_RETURN(auto constants, cpu::DecodeConstants(*graph));
    for (uint32_t i = 0; i < graph->num_nodes; ++i) {
      const std::string reason = NpuSupportReason(*device->preset, *graph, i, constants);
      result->support[i] = reason.empty() ? HETERO_SUPPORT_YES : HETERO_SUPPORT_NO;
      if (!reason.empty() && result->set_reason != nullptr) {
        result->set_reason(result->reason_context, i, reason.c_str());
      }
    }
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::npu_sim
