// Pass 'fuse-gelu': the erf and tanh forms of GELU become Gelu.
//
//   erf:   x · 0.5 · (1 + erf(x / √2))       (x / 1.4142… or x · 0.7071…)
//   tanh:  0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))   (x³ as Pow(x, 3) or x·x·x)
// with the three outer factors multiplied in any order and grouping
// -> Gelu(x) {approximate = "none" | "tanh"}
//
// Constants are compared with a relative tolerance of 1e-4, enough for the digits
// exporters print (1.4142, 0.7071, 0.79788) and tight enough to leave 0.045 or 0.79 alone.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kSqrt2OverPi = 0.7978845608028654;
constexpr double kCubeCoefficient = 0.044715;

// x when `value` is x / √2 or x · (1/√2).
ir::Value* MatchScaledBySqrtHalf(ir::Value* value, std::vector<ir::Node*>& matched) {
  ir::Node* node = value->producer();
  if (node == nullptr || node->inputs().size() != 2) return nullptr;
  if (node->op() == "Div" && IsSplatNear(node->input(1), kSqrt2)) {
    matched.push_back(node);
    return node->input(0);
  }
  if (node->op() != "Mul") return nullptr;
  for (size_t i = 0; i < 2; ++i) {
    if (IsSplatNear(node->input(i), 1.0 / kSqrt2) && !SplatValue(node->input(1 - i))) {
      matched.push_back(node);
      return node->input(1 - i);
    }
  }
  return nullptr;
}

// Whether `factors` (after removing the coefficient) are x³: Pow(x, 3) or x, x, x.
bool IsCube(std::vector<ir::Value*> factors, const ir::Value* x, std::vector<ir::Node*>& matched) {
  if (factors.size() == 3) {
    return factors[0] == x && factors[1] == x && factors[2] == x;
  }
  ir::Node* pow = factors.size() == 1 ? Producer(factors[0], "Pow") : nullptr;
  if (pow == nullptr || pow->input(0) != x || !IsSplatNear(pow->input(1), 3.0, 0)) return false;
  matched.push_back(pow);
  return true;
}

// x when `value` is √(2/π) · (x + 0.044715 · x³).
ir::Value* MatchTanhArgument(ir::Value* value, const UseMap& uses,
                             std::vector<ir::Node*>& matched) {
  std::vector<ir::Node*> found;
  auto outer = ProductFactors(value, uses, found, 2);
  if (!outer || outer->size() != 2 || !TakeSplatFactor(*outer, kSqrt2OverPi)) return nullptr;
  ir::Node* add = Producer((*outer)[0], "Add");
  if (add == nullptr || uses.SoleUser(add->output(0)) == nullptr) return nullptr;
  found.push_back(add);
  for (size_t i = 0; i < 2; ++i) {
    ir::Value* x = add->input(i);
    ir::Value* term = add->input(1 - i);
    std::vector<ir::Node*> inner_found;
    if (term == x || uses.SoleUser(term) == nullptr) continue;
    auto inner = ProductFactors(term, uses, inner_found, 4);
    if (!inner || !TakeSplatFactor(*inner, kCubeCoefficient)) continue;
    if (!IsCube(*inner, x, inner_found)) continue;
    matched.insert(matched.end(), found.begin(), found.end());
    matched.insert(matched.end(), inner_found.begin(), inner_found.end());
    return x;
  }
  return nullptr;
}

// From `one_plus` = 1 + erf(·) or 1 + tanh(·), follows the products below it until they
// are exactly x · 0.5 · one_plus; returns that product, or nullptr.
ir::Value* MatchOuterProduct(ir::Value* one_plus, ir::Value* x, const UseMap& uses,
                             std::vector<ir::Node*>& matched) {
  ir::Value* current = one_plus;
  for (int step = 0; step < 3; ++step) {
    ir::Node* mul = uses.SoleUser(current);
    if (mul == nullptr || mul->op() != "Mul") return nullptr;
    current = mul->output(0);
    std::vector<ir::Node*> found;
    auto factors = ProductFactors(current, uses, found, 3);
    if (!factors) return nullptr;
    if (factors->size() == 3 && TakeFactor(*factors, one_plus) && TakeFactor(*factors, x) &&
        TakeSplatFactor(*factors, 0.5)) {
      matched.insert(matched.end(), found.begin(), found.end());
      return current;
    }
  }
  return nullptr;
}

// 1 + f(...) where f is the sole user of `f_out`: returns the sum, or nullptr.
ir::Value* MatchOnePlus(ir::Value* f_out, const UseMap& uses, std::vector<ir::Node*>& matched) {
  ir::Node* add = uses.SoleUser(f_out);
  if (add == nullptr || add->op() != "Add" || !IsSplatNear(OtherInput(add, f_out), 1.0)) {
    return nullptr;
  }
  matched.push_back(add);
  return add->output(0);
}

StatusOr<bool> FuseGelu(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  const bool erf = node->op() == "Erf";
  if (!erf && node->op() != "Tanh") return false;
  std::vector<ir::Node*> matched = {node};
  ir::Value* x = erf ? MatchScaledBySqrtHalf(node->input(0), matched)
                     : MatchTanhArgument(node->input(0), uses, matched);
  if (x == nullptr || !IsFloat(x)) return false;
  ir::Value* one_plus = MatchOnePlus(node->output(0), uses, matched);
  if (one_plus == nullptr) return false;
  ir::Value* root = MatchOuterProduct(one_plus, x, uses, matched);
  if (root == nullptr || !IsSelfContained(matched, root, uses)) return false;
  ops::Attributes attrs;
  attrs.Set("approximate", std::string(erf ? "none" : "tanh"));
  return ReplaceWithNode(graph, root, "Gelu", {x}, std::move(attrs), matched);
}

class FuseGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-gelu"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseGelu); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseGeluPass() { return std::make_unique<FuseGeluPass>(); }

}  // namespace hetero::passes
