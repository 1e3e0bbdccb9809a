// Pass 'fuse-attention': scaled dot-product attention over [B, H, S, D] heads becomes
// one Attention node.
//
//   s = MatMul(Q, Kᵀ)                  Kᵀ: MatMul's transpose_b, or Transpose of the last two dims
//   s = s · c | s / c                  any number of constant scales (also on Q or K) -> scale
//   s = s + mask | Where(keep, s, -big) | Where(drop, -big, s)     (any of them, any order)
//   p = Softmax(s, axis -1)            (no-op Casts around it are absorbed)
//   out = MatMul(p, V)
// -> Attention(Q, K, V, mask) {causal, scale}
//
// Masks proven causal (see causal_mask.h) become causal = 1; what is left (a padding
// mask, a mask that is not provably causal) stays a tensor input; two leftover masks
// leave the pattern alone. K and V repeated for grouped heads (Unsqueeze(2) → Expand →
// Reshape) are fed un-repeated, so Attention sees Hkv heads. The scale attribute is
// always explicit (1.0 when the pattern has none).
//
// Masked scores become excluded rather than very negative. That changes nothing unless a
// query row sees no key at all (every key masked, e.g. a left-padded row under a causal
// mask): there the unfused graph averages over the masked keys (or gives NaN for -inf)
// and Attention gives zeros. Outputs at such rows are padding and carry no meaning.
#include <cmath>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "compiler/passes/causal_mask.h"
#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

struct Match {
  ir::Value* q = nullptr;
  ir::Value* k = nullptr;
  ir::Value* v = nullptr;
  ir::Value* qk = nullptr;  // the raw scores
  double scale = 1.0;
  std::vector<ir::Value*> additive;                // masks added to the scores
  std::vector<std::pair<ir::Value*, bool>> keeps;  // bool masks; true: selects dropped
  std::vector<ir::Node*> matched;
};

// Whether `value` is computed from a rank-4 MatMul through the ops a score chain uses.
bool ReachesScores(const ir::Value* value, int depth = 0) {
  const ir::Node* node = value ? value->producer() : nullptr;
  if (node == nullptr || depth > 8) return false;
  if (node->op() == "MatMul") return value->type().shape.rank() == 4;
  if (node->op() == "Cast") return ReachesScores(node->input(0), depth + 1);
  if (node->op() == "Mul" || node->op() == "Div" || node->op() == "Add") {
    return ReachesScores(node->input(0), depth + 1) || ReachesScores(node->input(1), depth + 1);
  }
  if (node->op() == "Where") {
    return ReachesScores(node->input(1), depth + 1) || ReachesScores(node->input(2), depth + 1);
  }
  return false;
}

bool IsFill(const ir::Value* value) {
  const auto splat = SplatValue(value);
  return splat && *splat <= kMaskFillLimit;
}

// Peels one mask layer off `scores`; returns the scores below it, or nullptr.
ir::Value* PeelMask(ir::Value* scores, Match& m) {
  ir::Node* node = scores->producer();
  if (node == nullptr) return nullptr;
  if (node->op() == "Add") {
    for (size_t i = 0; i < 2; ++i) {
      if (ReachesScores(node->input(i)) && !ReachesScores(node->input(1 - i))) {
        m.additive.push_back(node->input(1 - i));
        m.matched.push_back(node);
        return node->input(i);
      }
    }
  } else if (node->op() == "Where" && node->input(0)->type().dtype == DType::kBool) {
    for (size_t i = 1; i < 3; ++i) {
      if (IsFill(node->input(3 - i)) && ReachesScores(node->input(i))) {
        m.keeps.push_back({node->input(0), i == 2});
        m.matched.push_back(node);
        return node->input(i);
      }
    }
  }
  return nullptr;
}

// Peels Mul / Div by splat constants off `value`, folding them into `scale`.
ir::Value* PeelScales(ir::Value* value, double& scale, std::vector<ir::Node*>& matched,
                      const UseMap* uses) {
  for (int step = 0; step < 4; ++step) {
    ir::Node* node = value->producer();
    if (node == nullptr || (uses != nullptr && uses->SoleUser(value) == nullptr)) break;
    std::optional<double> c;
    ir::Value* rest = nullptr;
    if (node->op() == "Div" && (c = SplatValue(node->input(1)))) {
      if (*c == 0) break;
      c = 1.0 / *c;
      rest = node->input(0);
    } else if (node->op() == "Mul") {
      for (size_t i = 0; i < 2 && rest == nullptr; ++i) {
        if ((c = SplatValue(node->input(i))) && !SplatValue(node->input(1 - i))) {
          rest = node->input(1 - i);
        }
      }
    }
    if (rest == nullptr) break;
    scale *= *c;
    matched.push_back(node);
    value = rest;
  }
  return value;
}

// From the Softmax node: P·V below, masks, scales and Q·Kᵀ above.
std::optional<Match> MatchAttention(ir::Node* softmax, const UseMap& uses, ir::Value** root) {
  const ir::Value* x = softmax->input(0);
  const int64_t axis = softmax->attrs().GetInt("axis", -1);
  if (x->type().shape.rank() != 4 || (axis != -1 && axis != 3) || !IsFloat(x)) return std::nullopt;
  Match m;
  m.matched.push_back(softmax);
  ir::Value* p = SkipCastsDown(softmax->output(0), uses, m.matched);
  ir::Node* pv = uses.SoleUser(p);
  if (pv == nullptr || pv->op() != "MatMul" || pv->input(0) != p ||
      pv->attrs().GetInt("transpose_a", 0) || pv->attrs().GetInt("transpose_b", 0)) {
    return std::nullopt;
  }
  m.matched.push_back(pv);
  m.v = pv->input(1);
  *root = pv->output(0);
  ir::Value* s = SkipCastsUp(softmax->input(0), m.matched);
  for (int layer = 0; layer < 3; ++layer) {
    ir::Value* below = PeelMask(s, m);
    if (below == nullptr) break;
    s = SkipCastsUp(below, m.matched);
  }
  s = PeelScales(s, m.scale, m.matched, nullptr);
  ir::Node* qk = Producer(s, "MatMul");
  if (qk == nullptr || qk->attrs().GetInt("transpose_a", 0) != 0) return std::nullopt;
  m.matched.push_back(qk);
  m.qk = s;
  m.q = PeelScales(qk->input(0), m.scale, m.matched, &uses);
  ir::Value* kt = qk->input(1);
  if (qk->attrs().GetInt("transpose_b", 0) != 0) {
    m.k = PeelScales(kt, m.scale, m.matched, &uses);
  } else {
    kt = PeelScales(kt, m.scale, m.matched, &uses);
    ir::Node* transpose = Producer(kt, "Transpose");
    if (transpose == nullptr || !SwapsLastTwo(transpose->attrs().GetInts("perm"))) {
      return std::nullopt;
    }
    m.matched.push_back(transpose);
    m.k = PeelScales(transpose->input(0), m.scale, m.matched, &uses);
  }
  for (const ir::Value* t : {m.q, m.k, m.v}) {
    if (t->type().shape.rank() != 4 || t->type().dtype != x->type().dtype) return std::nullopt;
  }
  if (!std::isfinite(m.scale) || m.scale == 0) return std::nullopt;
  return m;
}

struct Repeat {
  ir::Value* source = nullptr;
  int64_t times = 0;
  std::vector<ir::Node*> nodes;
};

// `value` = Reshape(Expand(Unsqueeze(source, 2), [.., times, ..]), [B, Hkv·times, S, D]):
// each KV head repeated `times` times, as repeat_kv writes it. Proven from the types.
std::optional<Repeat> RepeatedHeads(ir::Value* value) {
  ir::Node* reshape = Producer(value, "Reshape");
  ir::Node* expand = reshape ? Producer(reshape->input(0), "Expand") : nullptr;
  ir::Node* insert = expand ? expand->input(0)->producer() : nullptr;
  if (insert == nullptr || (insert->op() != "Unsqueeze" && insert->op() != "Reshape")) {
    return std::nullopt;
  }
  ir::Value* source = insert->input(0);
  const Shape& src = source->type().shape;
  const Shape& u = insert->output(0)->type().shape;
  const Shape& e = expand->output(0)->type().shape;
  const Shape& r = value->type().shape;
  if (src.rank() != 4 || u.rank() != 5 || e.rank() != 5 || r.rank() != 4) return std::nullopt;
  const bool unit_at_2 = u[2].is_static() && u[2].value() == 1 && SameDim(u[0], src[0]) &&
                         SameDim(u[1], src[1]) && SameDim(u[3], src[2]) && SameDim(u[4], src[3]);
  const bool widens_2 = e[2].is_static() && e[2].value() >= 1 && SameDim(e[0], u[0]) &&
                        SameDim(e[1], u[1]) && SameDim(e[3], u[3]) && SameDim(e[4], u[4]);
  const bool merges = e[1].is_static() && r[1].is_static() &&
                      r[1].value() == e[1].value() * e[2].value() && SameDim(r[0], e[0]) &&
                      SameDim(r[2], e[3]) && SameDim(r[3], e[4]);
  if (!unit_at_2 || !widens_2 || !merges) return std::nullopt;
  return Repeat{source, e[2].value(), {reshape, expand, insert}};
}

// The scores Q·Kᵀ: [B, Hq, Sq, Skv].
Shape ScoresShape(const ir::Value* q, const ir::Value* k) {
  const Shape& qs = q->type().shape;
  return Shape{qs[0], qs[1], qs[2], k->type().shape[2]};
}

// The mask input left once causal parts are recognized; false when two masks remain.
bool ResolveMasks(const Match& m, bool& causal, ir::Value*& mask, bool& negate,
                  std::vector<ir::Node*>& mask_nodes) {
  const Shape scores = ScoresShape(m.q, m.k);
  std::vector<std::pair<ir::Value*, bool>> left;
  for (const auto& [keep, dropped] : m.keeps) {
    if (IsCausalBoolMask(keep, scores, dropped, mask_nodes)) {
      causal = true;
    } else {
      left.push_back({keep, dropped});
    }
  }
  for (ir::Value* add : m.additive) {
    AdditiveMask a = AnalyzeAdditiveMask(add, scores);
    causal = causal || a.causal;
    mask_nodes.insert(mask_nodes.end(), a.visited.begin(), a.visited.end());
    if (a.remainder != nullptr) left.push_back({a.remainder, false});
  }
  if (left.size() > 1) return false;
  if (!left.empty()) std::tie(mask, negate) = left[0];
  return true;
}

// Feeds K and V un-repeated when both are repeat_kv outputs that only this attention
// reads; returns whether it did.
bool StripRepeats(Match& m, const ir::Value* root, const UseMap& uses) {
  const auto k_repeat = RepeatedHeads(m.k);
  const auto v_repeat = RepeatedHeads(m.v);
  if (!k_repeat || !v_repeat || k_repeat->times != v_repeat->times) return false;
  std::vector<ir::Node*> with_repeats = m.matched;
  with_repeats.insert(with_repeats.end(), k_repeat->nodes.begin(), k_repeat->nodes.end());
  with_repeats.insert(with_repeats.end(), v_repeat->nodes.begin(), v_repeat->nodes.end());
  if (!IsSelfContained(with_repeats, root, uses)) return false;
  m.k = k_repeat->source;
  m.v = v_repeat->source;
  m.matched = std::move(with_repeats);
  return true;
}

// Replaces `root` by Attention(q, k, v, mask) and erases what the pattern leaves unused.
StatusOr<bool> EmitAttention(ir::Graph& graph, const Match& m, ir::Value* root,
                             ops::Attributes attrs, ir::Value* mask, bool negate,
                             const std::vector<ir::Node*>& mask_nodes) {
  if (negate) {
    HETERO_ASSIGN_OR_RETURN(mask, AddHelperNode(graph, "Not", {mask}, {}, "attention_keep"));
  }
  HETERO_ASSIGN_OR_RETURN(bool replaced,
                          ReplaceWithNode(graph, root, "Attention", {m.q, m.k, m.v, mask},
                                          std::move(attrs), m.matched));
  if (negate) HETERO_RETURN_IF_ERROR(EraseDeadNodes(graph, {mask->producer()}));
  if (replaced) HETERO_RETURN_IF_ERROR(EraseDeadNodes(graph, mask_nodes));
  return replaced;
}

StatusOr<bool> FuseSoftmaxAttention(ir::Graph& graph, ir::Node* softmax, const UseMap& uses) {
  ir::Value* root = nullptr;
  std::optional<Match> m = MatchAttention(softmax, uses, &root);
  if (!m || !IsSelfContained(m->matched, root, uses)) return false;
  bool causal = false, negate = false;
  ir::Value* mask = nullptr;
  std::vector<ir::Node*> mask_nodes;
  if (!ResolveMasks(*m, causal, mask, negate, mask_nodes)) return false;
  StripRepeats(*m, root, uses);
  ops::Attributes attrs;
  if (causal) attrs.Set("causal", int64_t{1});
  attrs.Set("scale", m->scale);
  return EmitAttention(graph, *m, root, std::move(attrs), mask, negate, mask_nodes);
}

// An Attention fused while the types were still vague is looked at again once they are
// known: a mask now provably causal becomes causal = 1, repeated K / V heads are dropped.
StatusOr<bool> RefineAttention(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  Match m;
  m.q = node->input(0);
  m.k = node->input(1);
  m.v = node->input(2);
  m.matched = {node};
  if (m.q->type().shape.rank() != 4 || m.k->type().shape.rank() != 4) return false;
  ir::Value* old_mask = node->input(3);
  if (old_mask != nullptr && old_mask->type().dtype == DType::kBool) {
    m.keeps.push_back({old_mask, false});
  } else if (old_mask != nullptr) {
    m.additive.push_back(old_mask);
  }
  bool causal = false, negate = false;
  ir::Value* mask = nullptr;
  std::vector<ir::Node*> mask_nodes;
  if (!ResolveMasks(m, causal, mask, negate, mask_nodes)) return false;
  const bool stripped = StripRepeats(m, node->output(0), uses);
  if (mask == old_mask && !stripped) return false;
  ops::Attributes attrs = node->attrs();
  if (causal) attrs.Set("causal", int64_t{1});
  return EmitAttention(graph, m, node->output(0), std::move(attrs), mask, negate, mask_nodes);
}

StatusOr<bool> FuseAttention(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() == "Softmax") return FuseSoftmaxAttention(graph, node, uses);
  if (node->op() == "Attention") return RefineAttention(graph, node, uses);
  return false;
}

class FuseAttentionPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-attention"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FuseAttention); }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseAttentionPass() { return std::make_unique<FuseAttentionPass>(); }

}  // namespace hetero::passes
