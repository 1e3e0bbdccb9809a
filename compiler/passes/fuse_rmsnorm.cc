// Pass 'fuse-rmsnorm': the decomposed RMS norm exporters write becomes RMSNorm.
//
//   v = ReduceMean(Pow(x, 2) | Mul(x, x), trailing axes)
//   y = x / sqrt(v + eps)               (Div, or Mul by Reciprocal / Rsqrt / 1 / Sqrt)
//   out = scale * Cast(y)               (the Cast, from Llama's float32 upcast, optional;
//                                        the scale optional)
// -> RMSNorm(x, scale) {axis = -k, epsilon = eps}
//
// x may itself be a Cast (Llama casts the hidden state to float32 first); it stays, as
// the residual path reads it too. Left alone: reductions over dims that are not the last
// ones, epsilon outside the square root, a squared value other than the normalized one,
// a scale varying over outer dims, and intermediates read outside the pattern.
#include <optional>
#include <vector>

#include "compiler/passes/norm_pattern.h"
#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

struct RmsMatch {
  ir::Value* x = nullptr;
  size_t normalized = 0;
  double epsilon = 0;
  std::vector<ir::Node*> matched;
};

// x / sqrt(mean(x²) + eps), computed by `node`.
std::optional<RmsMatch> MatchRms(ir::Node* node) {
  RmsMatch m;
  const std::optional<InvSqrtMatch> inv = MatchDivBySqrt(node, m.matched);
  if (!inv) return std::nullopt;
  m.x = inv->numerator;
  ir::Node* mean = Producer(inv->variance, "ReduceMean");
  if (mean == nullptr || !IsFloat(m.x)) return std::nullopt;
  m.matched.push_back(mean);
  if (!MatchSquare(mean->input(0), m.x, m.matched)) return std::nullopt;
  const size_t rank = m.x->type().shape.rank();
  const auto axes = KeptReduceAxes(*mean, rank);
  if (!axes || !AreTrailingAxes(*axes, rank)) return std::nullopt;
  m.normalized = axes->size();
  m.epsilon = inv->epsilon;
  return m;
}

// The scale multiplying `y` (through one optional float Cast), or nullptr; the nodes
// taken are appended to `matched` and `root` moves to the product.
ir::Value* MatchScale(ir::Value* y, const RmsMatch& m, const UseMap& uses,
                      std::vector<ir::Node*>& matched, ir::Value** root) {
  ir::Value* normed = y;
  ir::Node* cast = uses.SoleUser(y);
  if (cast != nullptr && cast->op() == "Cast" && IsFloat(cast->output(0))) {
    normed = cast->output(0);
  } else {
    cast = nullptr;
  }
  ir::Node* mul = uses.SoleUser(normed);
  if (mul == nullptr || mul->op() != "Mul") return nullptr;
  ir::Value* scale = OtherInput(mul, normed);
  if (scale == nullptr || scale == normed || !BroadcastsOverNormalized(scale, m.x, m.normalized)) {
    return nullptr;
  }
  if (cast != nullptr) matched.push_back(cast);
  matched.push_back(mul);
  *root = mul->output(0);
  return scale;
}

StatusOr<bool> FuseRmsNorm(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() != "Div" && node->op() != "Mul") return false;
  std::optional<RmsMatch> m = MatchRms(node);
  if (!m) return false;
  ir::Value* root = node->output(0);
  ir::Value* scale = MatchScale(root, *m, uses, m->matched, &root);
  if (!IsSelfContained(m->matched, root, uses)) return false;
  ir::Value* no_bias = nullptr;
  std::vector<ir::Value*> made;
  HETERO_ASSIGN_OR_RETURN(bool fits,
                          FitNormOperands(graph, m->x, m->normalized, scale, no_bias, made));
  ops::Attributes attrs;
  attrs.Set("axis", -static_cast<int64_t>(m->normalized));
  attrs.Set("epsilon", m->epsilon);
  bool replaced = false;
  if (fits) {
    HETERO_ASSIGN_OR_RETURN(replaced, ReplaceWithNode(graph, root, "RMSNorm", {m->x, scale},
                                                      std::move(attrs), m->matched));
  }
  if (!replaced) HETERO_RETURN_IF_ERROR(DropUnusedConstants(graph, made));
  return replaced;
}

class FuseRmsNormPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-rmsnorm"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseRmsNorm); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseRmsNormPass() { return std::make_unique<FuseRmsNormPass>(); }

}  // namespace hetero::passes
