// Pass 'quantize-int8': the constant f32 weights of MatMul and FusedMatMul become int8
// with one scale per output column, and the node a QuantMatMul (activations quantized
// per row at run time). Not in the default pipeline: `--quantize int8` adds it after it.
//
//   MatMul(a, W)                          -> QuantMatMul(a, Wq, s)
//   FusedMatMul(a, W, bias) {activation}  -> QuantMatMul(a, Wq, s, bias) {activation}
//
// Covered: an f32 left operand without transpose_a, a constant rank-2 f32 right operand
// (transpose_b kept), a bias that is absent or 1-D over the columns. Scales are
// symmetric max-abs: s[j] = max_k |W[k, j]| / 127 (1 for an all-zero column), Wq =
// round_half_even(W / s) in [-127, 127]. Batched right operands, attention's MatMuls
// (neither operand constant) and non-finite weights are left in f32.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

struct QuantizedWeights {
  Tensor values;  // i8, W's layout
  Tensor scales;  // f32 [n]
};

// Per-column symmetric quantization of a [k, n] (or [n, k] when transposed) matrix;
// nullopt when an element is not finite.
std::optional<QuantizedWeights> QuantizeColumns(const Tensor& w, bool transposed) {
  const int64_t k = transposed ? w.dim(1) : w.dim(0);
  const int64_t n = transposed ? w.dim(0) : w.dim(1);
  const float* src = w.data<float>();
  auto at = [&](int64_t kk, int64_t j) { return transposed ? j * k + kk : kk * n + j; };
  std::vector<float> scales(static_cast<size_t>(n), 0.0f);
  for (int64_t kk = 0; kk < k; ++kk) {
    for (int64_t j = 0; j < n; ++j) {
      const float v = src[at(kk, j)];
      if (!std::isfinite(v)) return std::nullopt;
      scales[j] = std::max(scales[j], std::fabs(v));
    }
  }
  for (float& s : scales) s = s > 0.0f ? s / 127.0f : 1.0f;
  auto values = Tensor::Allocate(DType::kI8, w.dims());
  if (!values.ok()) return std::nullopt;
  int8_t* dst = values->mutable_data<int8_t>();
  for (int64_t kk = 0; kk < k; ++kk) {
    for (int64_t j = 0; j < n; ++j) {
      const float q = std::nearbyint(src[at(kk, j)] / scales[j]);
      dst[at(kk, j)] = static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
    }
  }
  return QuantizedWeights{std::move(*values), Tensor::FromFloat({n}, scales)};
}

StatusOr<bool> QuantizeNode(ir::Graph& graph, ir::Node* node, const UseMap&) {
  const bool fused = node->op() == "FusedMatMul";
  if (node->op() != "MatMul" && !fused) return false;
  ir::Value* a = node->input(0);
  ir::Value* w = node->input(1);
  ir::Value* bias = fused ? node->input(2) : nullptr;
  if (node->attrs().GetInt("transpose_a", 0) != 0 || a->type().dtype != DType::kF32 ||
      w == nullptr || !w->is_constant() || w->type().dtype != DType::kF32 ||
      w->type().shape.rank() != 2) {
    return false;
  }
  if (bias != nullptr && (bias->type().dtype != DType::kF32 || bias->type().shape.rank() != 1)) {
    return false;
  }
  const bool transpose_b = node->attrs().GetInt("transpose_b", 0) != 0;
  std::optional<QuantizedWeights> q = QuantizeColumns(*w->constant(), transpose_b);
  if (!q) return false;
  HETERO_ASSIGN_OR_RETURN(ir::Value * values, graph.AddConstant(graph.UniqueName(w->name() + ".i8"),
                                                                std::move(q->values)));
  HETERO_ASSIGN_OR_RETURN(
      ir::Value * scales,
      graph.AddConstant(graph.UniqueName(w->name() + ".scale"), std::move(q->scales)));
  ops::Attributes attrs;
  if (transpose_b) attrs.Set("transpose_b", int64_t{1});
  if (fused && node->attrs().Has("activation")) {
    attrs.Set("activation", node->attrs().GetString("activation", "none"));
  }
  std::vector<ir::Value*> inputs = {a, values, scales};
  if (bias != nullptr) inputs.push_back(bias);
  HETERO_ASSIGN_OR_RETURN(bool replaced,
                          ReplaceWithNode(graph, node->output(0), "QuantMatMul", std::move(inputs),
                                          std::move(attrs), {node}));
  if (!replaced) {
    HETERO_RETURN_IF_ERROR(DropUnusedConstants(graph, {values, scales}));
    return false;
  }
  // The f32 weights go when nothing else reads them.
  HETERO_RETURN_IF_ERROR(DropUnusedConstants(graph, {w}));
  return true;
}

class QuantizeInt8Pass final : public Pass {
 public:
  std::string_view name() const override { return "quantize-int8"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, QuantizeNode); }
};

}  // namespace

std::unique_ptr<Pass> CreateQuantizeInt8Pass() { return std::make_unique<QuantizeInt8Pass>(); }

}  // namespace hetero::passes
