// Pass 'fuse-quant-matmul': int8 weights of a QDQ model become one QuantMatMul.
//
//   MatMul(a, Dequantize(w_i8, scale))                    -> QuantMatMul(a, w_i8, scale)
//   MatMul(Dequantize(Quantize(x, s, z), s, z), DQ(w))    -> QuantMatMul(x, w_i8, scale, _, s, z)
//   QuantMatMul(...) + bias (+ Relu | Gelu | Silu)        -> QuantMatMul(..., bias) {activation}
//
// The weights must be a constant i8 matrix with zero point 0 (absent or all zeros) and a
// scale that is one value or one per output column (the Dequantize's axis is the
// column axis). An activation Quantize / Dequantize pair matches when both use the same
// constant one-value scale and zero point (u8 or i8). The bias must be 1-D over the
// output's last dim, as in fuse-matmul-bias. Without an activation pair, QuantMatMul
// quantizes its input per row at run time.
#include <cmath>
#include <string>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

bool IsConstantOf(const ir::Value* v, DType dtype) {
  return v != nullptr && v->is_constant() && v->type().dtype == dtype;
}

bool AllZero(const ir::Value* v) {
  if (v == nullptr) return true;
  if (!v->is_constant()) return false;
  const Tensor& t = *v->constant();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (t.GetInt64(i) != 0) return false;
  }
  return true;
}

int64_t OneValueCount(const ir::Value* v) {
  return v->is_constant() ? v->constant()->num_elements() : -1;
}

// Dequantize(w_i8 [r, c], scale, 0) with the scale along `column_axis` (or one value).
ir::Node* WeightDequantize(const ir::Value* w, int64_t column_axis) {
  ir::Node* dq = Producer(w, "Dequantize");
  if (dq == nullptr || !IsConstantOf(dq->input(0), DType::kI8) ||
      dq->input(0)->type().shape.rank() != 2 || !IsConstantOf(dq->input(1), DType::kF32) ||
      !AllZero(dq->input(2)) || w->type().dtype != DType::kF32) {
    return nullptr;
  }
  const int64_t scales = OneValueCount(dq->input(1));
  if (scales == 1) return dq;
  int64_t axis = dq->attrs().GetInt("axis", 1);
  if (axis < 0) axis += 2;
  const Tensor& q = *dq->input(0)->constant();
  return axis == column_axis && scales == q.dim(column_axis) ? dq : nullptr;
}

// The constant one-value scale and zero point of a Quantize / Dequantize pair on an
// activation: {x, scale, zero point} or nothing.
struct ActivationQdq {
  ir::Value* x = nullptr;
  ir::Value* scale = nullptr;
  ir::Value* zero_point = nullptr;  // nullptr: 0 of `dtype`
  DType dtype = DType::kU8;
  std::vector<ir::Node*> nodes;
};

bool SameScalar(const ir::Value* a, const ir::Value* b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr || !a->is_constant() || !b->is_constant() ||
      a->type().dtype != b->type().dtype || OneValueCount(a) != 1 || OneValueCount(b) != 1) {
    return false;
  }
  return a->constant()->GetDouble(0) == b->constant()->GetDouble(0);
}

std::optional<ActivationQdq> MatchActivationQdq(ir::Value* a, const UseMap& uses) {
  ir::Node* dq = Producer(a, "Dequantize");
  if (dq == nullptr) return std::nullopt;
  ir::Node* q = Producer(dq->input(0), "Quantize");
  if (q == nullptr || uses.SoleUser(dq->input(0)) != dq) return std::nullopt;
  ir::Value* scale = dq->input(1);
  ir::Value* zp = dq->input(2);
  const DType qtype = dq->input(0)->type().dtype;
  if (!IsConstantOf(scale, DType::kF32) || OneValueCount(scale) != 1 ||
      !SameScalar(scale, q->input(1)) || (qtype != DType::kU8 && qtype != DType::kI8) ||
      q->input(0)->type().dtype != DType::kF32) {
    return std::nullopt;
  }
  const bool zp_ok = (zp == nullptr && q->input(2) == nullptr) || SameScalar(zp, q->input(2));
  if (!zp_ok) return std::nullopt;
  return ActivationQdq{q->input(0), scale, zp, qtype, {dq, q}};
}

StatusOr<bool> FuseWeights(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->attrs().GetInt("transpose_a", 0) != 0) return false;
  const bool transpose_b = node->attrs().GetInt("transpose_b", 0) != 0;
  ir::Node* dq = WeightDequantize(node->input(1), transpose_b ? 0 : 1);
  if (dq == nullptr || node->input(0)->type().dtype != DType::kF32) return false;
  std::vector<ir::Node*> matched = {node, dq};
  std::vector<ir::Value*> inputs = {node->input(0), dq->input(0), dq->input(1)};
  ir::Value* added_zero = nullptr;
  if (auto qdq = MatchActivationQdq(node->input(0), uses)) {
    inputs[0] = qdq->x;
    inputs.push_back(nullptr);  // no bias yet
    inputs.push_back(qdq->scale);
    ir::Value* zp = qdq->zero_point;
    if (zp == nullptr && qdq->dtype == DType::kI8) {  // i8's 0 is u8's 128: say it
      HETERO_ASSIGN_OR_RETURN(zp, graph.AddConstant(graph.UniqueName("a_zero_point"),
                                                    Tensor::FromInt64({}, {0}, DType::kI8)));
      added_zero = zp;
    }
    if (zp != nullptr) inputs.push_back(zp);
    matched.insert(matched.end(), qdq->nodes.begin(), qdq->nodes.end());
  }
  ops::Attributes attrs;
  if (transpose_b) attrs.Set("transpose_b", int64_t{1});
  // The Dequantize nodes may feed others too; they are erased only when unused.
  HETERO_ASSIGN_OR_RETURN(bool fused,
                          ReplaceWithNode(graph, node->output(0), "QuantMatMul", std::move(inputs),
                                          std::move(attrs), matched));
  if (!fused && added_zero != nullptr)
    HETERO_RETURN_IF_ERROR(DropUnusedConstants(graph, {added_zero}));
  return fused;
}

StatusOr<bool> FuseEpilogue(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->input(3) != nullptr || node->attrs().Has("activation")) return false;
  ir::Value* product = node->output(0);
  ir::Node* add = uses.SoleUser(product);
  if (add == nullptr || add->op() != "Add") return false;
  ir::Value* bias = OtherInput(add, product);
  if (bias == nullptr || bias == product || bias->type().dtype != DType::kF32 ||
      bias->type().shape.rank() != 1 || !SameDim(bias->type().shape[0], *DimFromEnd(product, 0))) {
    return false;
  }
  std::vector<ir::Node*> matched = {node, add};
  ir::Value* root = add->output(0);
  ops::Attributes attrs = node->attrs();
  ir::Node* activation = uses.SoleUser(root);
  const std::string name = ActivationOf(activation);
  if (!name.empty()) {
    attrs.Set("activation", name);
    matched.push_back(activation);
    root = activation->output(0);
  }
  if (!IsSelfContained(matched, root, uses)) return false;
  std::vector<ir::Value*> inputs(node->inputs().begin(), node->inputs().end());
  inputs.resize(std::max<size_t>(inputs.size(), 4), nullptr);
  inputs[3] = bias;
  return ReplaceWithNode(graph, root, "QuantMatMul", std::move(inputs), std::move(attrs), matched);
}

StatusOr<bool> FuseQuantMatMul(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() == "MatMul") return FuseWeights(graph, node, uses);
  if (node->op() == "QuantMatMul") return FuseEpilogue(graph, node, uses);
  return false;
}

class FuseQuantMatMulPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-quant-matmul"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseQuantMatMul); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseQuantMatMulPass() {
  return std::make_unique<FuseQuantMatMulPass>();
}

}  // namespace hetero::passes
