// Pass 'fuse-layernorm': the decomposed layer norm exporters write becomes LayerNorm.
//
//   m = ReduceMean(x, trailing axes)    d = Sub(x, m)
//   v = ReduceMean(Pow(d, 2) | Mul(d, d), same axes)
//   y = d / sqrt(v + eps)               (Div, or Mul by Reciprocal / Rsqrt / 1 / Sqrt)
//   out = y * scale + bias              (either optional)
// -> LayerNorm(x, scale, bias) {axis = -k, epsilon = eps}
//
// Left alone: reductions over dims that are not the last ones, the two means over
// different dims, epsilon anywhere but under the square root, a scale or bias that
// varies over the outer dims, and any intermediate value read outside the pattern.
#include <optional>
#include <vector>

#include "compiler/passes/norm_pattern.h"
#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

struct Normalization {
  ir::Value* x = nullptr;
  size_t normalized = 0;  // how many trailing dims
  double epsilon = 0;
  std::vector<ir::Node*> matched;
};

// (x - mean(x)) / sqrt(mean((x - mean(x))²) + eps), computed by `node`.
std::optional<Normalization> MatchNormalization(ir::Node* node) {
  Normalization n;
  const std::optional<InvSqrtMatch> inv = MatchDivBySqrt(node, n.matched);
  if (!inv) return std::nullopt;
  ir::Node* sub = Producer(inv->numerator, "Sub");
  if (sub == nullptr) return std::nullopt;
  n.x = sub->input(0);
  ir::Node* mean = Producer(sub->input(1), "ReduceMean");
  ir::Node* var = Producer(inv->variance, "ReduceMean");
  if (mean == nullptr || var == nullptr || mean->input(0) != n.x || !IsFloat(n.x)) {
    return std::nullopt;
  }
  n.matched.insert(n.matched.end(), {sub, mean, var});
  if (!MatchSquare(var->input(0), inv->numerator, n.matched)) return std::nullopt;
  const size_t rank = n.x->type().shape.rank();
  const auto mean_axes = KeptReduceAxes(*mean, rank);
  const auto var_axes = KeptReduceAxes(*var, rank);
  if (!mean_axes || !var_axes || *mean_axes != *var_axes || !AreTrailingAxes(*mean_axes, rank)) {
    return std::nullopt;
  }
  n.normalized = mean_axes->size();
  n.epsilon = inv->epsilon;
  return n;
}

// The operand `value` is combined with by its sole user when that user is `op` and the
// operand broadcasts over the normalized dims only.
ir::Node* AffineUser(ir::Value* value, std::string_view op, const Normalization& n,
                     const UseMap& uses, ir::Value** operand) {
  ir::Node* user = uses.SoleUser(value);
  if (user == nullptr || user->op() != op) return nullptr;
  ir::Value* other = OtherInput(user, value);
  if (other == nullptr || other == value || !BroadcastsOverNormalized(other, n.x, n.normalized)) {
    return nullptr;
  }
  *operand = other;
  return user;
}

StatusOr<bool> FuseLayerNorm(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() != "Div" && node->op() != "Mul") return false;
  std::optional<Normalization> n = MatchNormalization(node);
  if (!n) return false;
  ir::Value* root = node->output(0);
  ir::Value* scale = nullptr;
  ir::Value* bias = nullptr;
  if (ir::Node* mul = AffineUser(root, "Mul", *n, uses, &scale)) {
    n->matched.push_back(mul);
    root = mul->output(0);
  }
  if (ir::Node* add = AffineUser(root, "Add", *n, uses, &bias)) {
    n->matched.push_back(add);
    root = add->output(0);
  }
  if (!IsSelfContained(n->matched, root, uses)) return false;
  std::vector<ir::Value*> made;
  HETERO_ASSIGN_OR_RETURN(bool fits,
                          FitNormOperands(graph, n->x, n->normalized, scale, bias, made));
  ops::Attributes attrs;
  attrs.Set("axis", -static_cast<int64_t>(n->normalized));
  attrs.Set("epsilon", n->epsilon);
  bool replaced = false;
  if (fits) {
    HETERO_ASSIGN_OR_RETURN(replaced, ReplaceWithNode(graph, root, "LayerNorm", {n->x, scale, bias},
                                                      std::move(attrs), n->matched));
  }
  if (!replaced) HETERO_RETURN_IF_ERROR(DropUnusedConstants(graph, made));
  return replaced;
}

class FuseLayerNormPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-layernorm"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseLayerNorm); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseLayerNormPass() { return std::make_unique<FuseLayerNormPass>(); }

}  // namespace hetero::passes
