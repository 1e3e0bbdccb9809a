// Pass 'fuse-matmul-bias': a MatMul, its bias and an activation become one FusedMatMul.
//
//   MatMul(a, b) + bias                 -> FusedMatMul(a, b, bias)
//   Relu | Gelu | Silu (MatMul + bias)  -> FusedMatMul(a, b, bias) {activation = ...}
//
// The bias must be 1-D over the output's last dim (a per-column bias), so that the sum
// never grows the product; residual adds and other broadcasts are left alone. The
// MatMul's transpose flags carry over.
#include <string>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

// Whether `bias` is a 1-D vector over the last dim of `product`.
bool IsColumnBias(const ir::Value* bias, const ir::Value* product) {
  if (bias == nullptr || bias == product || bias->type().shape.rank() != 1 ||
      product->type().shape.rank() < 1 || bias->type().dtype != product->type().dtype) {
    return false;
  }
  return SameDim(bias->type().shape[0], *DimFromEnd(product, 0));
}

StatusOr<bool> FuseMatMulBias(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() != "MatMul" || !IsFloat(node->output(0))) return false;
  ir::Value* product = node->output(0);
  ir::Node* add = uses.SoleUser(product);
  if (add == nullptr || add->op() != "Add") return false;
  ir::Value* bias = OtherInput(add, product);
  if (!IsColumnBias(bias, product)) return false;
  std::vector<ir::Node*> matched = {node, add};
  ir::Value* root = add->output(0);
  ops::Attributes attrs;
  for (const char* flag : {"transpose_a", "transpose_b"}) {
    if (node->attrs().GetInt(flag, 0) != 0) attrs.Set(flag, int64_t{1});
  }
  ir::Node* activation = uses.SoleUser(root);
  const std::string name = ActivationOf(activation);
  if (!name.empty()) {
    attrs.Set("activation", name);
    matched.push_back(activation);
    root = activation->output(0);
  }
  if (!IsSelfContained(matched, root, uses)) return false;
  return ReplaceWithNode(graph, root, "FusedMatMul", {node->input(0), node->input(1), bias},
                         std::move(attrs), matched);
}

class FuseMatMulBiasPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-matmul-bias"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseMatMulBias); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseMatMulBiasPass() { return std::make_unique<FuseMatMulBiasPass>(); }

}  // namespace hetero::passes
