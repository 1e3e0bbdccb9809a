// Pass 'fuse-swiglu': the gated MLP product becomes SwiGLU, and a lone x·sigmoid(x)
// becomes Silu.
//
//   Silu(g) · up          -> SwiGLU(g, up)
//   g · Sigmoid(g) · up   -> SwiGLU(g, up)     (any order and grouping of the three)
//   g · Sigmoid(g)        -> Silu(g)           (when no gating product follows)
//
// `up` must be computed at run time (a constant factor is a scaled Silu, not a gate).
#include <optional>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

struct GateMatch {
  ir::Value* root = nullptr;  // the product to replace
  ir::Value* up = nullptr;    // nullptr: a Silu without a gate
  std::vector<ir::Node*> matched;
};

// Walks the products below `activation` (Silu(g) or Sigmoid(g)) looking for the factors
// {activation, g (for Sigmoid), up}; remembers a plain g·Sigmoid(g) on the way.
std::optional<GateMatch> MatchGate(ir::Value* activation, ir::Value* gate, bool needs_gate,
                                   const UseMap& uses) {
  std::optional<GateMatch> silu;
  ir::Value* current = activation;
  for (int step = 0; step < 2; ++step) {
    ir::Node* mul = uses.SoleUser(current);
    if (mul == nullptr || mul->op() != "Mul") break;
    current = mul->output(0);
    std::vector<ir::Node*> found;
    auto factors = ProductFactors(current, uses, found, 3);
    if (!factors || !TakeFactor(*factors, activation)) break;
    if (needs_gate && !TakeFactor(*factors, gate)) {
      if (factors->size() >= 2) break;
      continue;  // gate · (Sigmoid(gate) · up): the gate comes one product further down
    }
    if (factors->empty()) {
      if (!silu) silu = GateMatch{current, nullptr, found};
      continue;
    }
    ir::Value* up = (*factors)[0];
    if (factors->size() == 1 && up != gate && !up->is_constant() && !SplatValue(up)) {
      return GateMatch{current, up, found};
    }
    break;
  }
  return silu;
}

StatusOr<bool> FuseSwiGlu(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  const bool is_silu = node->op() == "Silu";
  if (!is_silu && node->op() != "Sigmoid") return false;
  ir::Value* gate = node->input(0);
  if (!IsFloat(gate)) return false;
  std::optional<GateMatch> m = MatchGate(node->output(0), gate, !is_silu, uses);
  if (!m || (is_silu && m->up == nullptr)) return false;
  m->matched.push_back(node);
  if (!IsSelfContained(m->matched, m->root, uses)) return false;
  if (m->up == nullptr) return ReplaceWithNode(graph, m->root, "Silu", {gate}, {}, m->matched);
  return ReplaceWithNode(graph, m->root, "SwiGLU", {gate, m->up}, {}, m->matched);
}

class FuseSwiGluPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-swiglu"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseSwiGlu); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseSwiGluPass() { return std::make_unique<FuseSwiGluPass>(); }

}  // namespace hetero::passes
