// Pass 'fuse-rope': rotary embedding in its rotate-half form becomes Rope.
//
//   x1 = Slice(x, 0, D/2, axis -1)      x2 = Slice(x, D/2, D, axis -1)
//   rotated = Concat(Neg(x2) | x2 · -1, x1, axis -1)
//   out = x · cos + rotated · sin       (products and sum in either order)
// -> Rope(x, cos, sin)
//
// x's last dim D must be static and even and the halves exact; interleaved (GPT-J style)
// rotations, other splits and rotations over another axis are left alone.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

// The range [start, end) a Slice node takes of the last dim (of size `dim`) of its input,
// when it slices that dim only, by step 1, with constant bounds.
std::optional<std::pair<int64_t, int64_t>> LastDimRange(const ir::Node& slice, int64_t dim) {
  const auto rank = static_cast<int64_t>(slice.input(0)->type().shape.rank());
  const auto starts = IntsConstant(slice.input(1));
  const auto ends = IntsConstant(slice.input(2));
  const auto axes = IntsConstant(slice.input(3));
  if (!starts || !ends || !axes || starts->size() != 1 || ends->size() != 1 || axes->size() != 1 ||
      ((*axes)[0] != -1 && (*axes)[0] != rank - 1)) {
    return std::nullopt;
  }
  if (slice.input(4) != nullptr) {
    const auto steps = IntsConstant(slice.input(4));
    if (!steps || steps->size() != 1 || (*steps)[0] != 1) return std::nullopt;
  }
  auto clamp = [dim](int64_t i) { return std::clamp(i < 0 ? i + dim : i, int64_t{0}, dim); };
  return std::make_pair(clamp((*starts)[0]), clamp((*ends)[0]));
}

// The slice input when `value` is Slice(x, [begin, end)) of x's last dim.
ir::Value* SliceOf(ir::Value* value, int64_t begin, int64_t end, std::vector<ir::Node*>& matched) {
  ir::Node* slice = Producer(value, "Slice");
  if (slice == nullptr || slice->inputs().size() < 4) return nullptr;
  const std::optional<Dim> dim = DimFromEnd(slice->input(0), 0);
  if (!dim || !dim->is_static()) return nullptr;
  const auto range = LastDimRange(*slice, dim->value());
  if (!range || range->first != begin || range->second != end) return nullptr;
  matched.push_back(slice);
  return slice->input(0);
}

// -value as Neg(value) or value · -1: returns value.
ir::Value* Negated(ir::Value* value, std::vector<ir::Node*>& matched) {
  if (ir::Node* neg = Producer(value, "Neg")) {
    matched.push_back(neg);
    return neg->input(0);
  }
  ir::Node* mul = Producer(value, "Mul");
  if (mul == nullptr) return nullptr;
  for (size_t i = 0; i < 2; ++i) {
    if (IsSplatNear(mul->input(i), -1.0, 0)) {
      matched.push_back(mul);
      return mul->input(1 - i);
    }
  }
  return nullptr;
}

// x when `concat` is rotate_half(x) = Concat(-x[D/2:], x[:D/2]) over the last dim.
ir::Value* RotateHalfOf(ir::Node* concat, std::vector<ir::Node*>& matched) {
  if (concat->inputs().size() != 2) return nullptr;
  const auto rank = static_cast<int64_t>(concat->output(0)->type().shape.rank());
  const int64_t axis = concat->attrs().GetInt("axis", 0);
  const std::optional<Dim> dim = DimFromEnd(concat->output(0), 0);
  if (rank == 0 || (axis != -1 && axis != rank - 1) || !dim || !dim->is_static() ||
      dim->value() % 2 != 0 || dim->value() == 0) {
    return nullptr;
  }
  const int64_t d = dim->value();
  ir::Value* x2_slice = Negated(concat->input(0), matched);
  ir::Value* x = x2_slice ? SliceOf(x2_slice, d / 2, d, matched) : nullptr;
  if (x == nullptr || SliceOf(concat->input(1), 0, d / 2, matched) != x) return nullptr;
  const std::optional<Dim> x_dim = DimFromEnd(x, 0);
  return x_dim && SameDim(*x_dim, *dim) ? x : nullptr;
}

StatusOr<bool> FuseRope(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() != "Concat") return false;
  std::vector<ir::Node*> matched = {node};
  ir::Value* x = RotateHalfOf(node, matched);
  if (x == nullptr || !IsFloat(x)) return false;
  ir::Value* rotated = node->output(0);
  ir::Node* sin_mul = uses.SoleUser(rotated);
  if (sin_mul == nullptr || sin_mul->op() != "Mul") return false;
  ir::Value* sin = OtherInput(sin_mul, rotated);
  ir::Node* add = uses.SoleUser(sin_mul->output(0));
  if (sin == nullptr || sin == rotated || add == nullptr || add->op() != "Add") return false;
  ir::Node* cos_mul = Producer(OtherInput(add, sin_mul->output(0)), "Mul");
  ir::Value* cos = OtherInput(cos_mul, x);
  if (cos_mul == nullptr || cos == nullptr || cos == x) return false;
  matched.insert(matched.end(), {sin_mul, add, cos_mul});
  ir::Value* root = add->output(0);
  const size_t rank = x->type().shape.rank();
  if (cos->type().shape.rank() > rank || sin->type().shape.rank() > rank) return false;
  if (!IsSelfContained(matched, root, uses)) return false;
  return ReplaceWithNode(graph, root, "Rope", {x, cos, sin}, {}, matched);
}

class FuseRopePass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-rope"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseRope); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseRopePass() { return std::make_unique<FuseRopePass>(); }

}  // namespace hetero::passes
