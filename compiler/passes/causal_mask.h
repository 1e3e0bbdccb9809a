// Proves attention masks causal by construction, for the fuse-attention pass.
#pragma once

#include <optional>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/shape.h"

namespace hetero::passes {

// Fill values at or below this count as "masked out" (exporters use -10000, -1e9,
// float32's lowest value or -inf: exp of any of them next to a real score is 0).
inline constexpr double kMaskFillLimit = -1e4;

// A mask is causal when it lets query i (row) see exactly the keys j (column) with
// j <= i, every dim before the last two aside. That equals Attention's causal=1 only
// when Sq == Skv, so every test below also asks that the mask's last two dims and the
// scores' last two dims are all provably the same size (same number or same symbol).
//
// Constructions recognized, through Cast, Not, leading-dim Unsqueeze / Reshape /
// Expand, and Slices that start at constant offsets:
//   Trilu(all-ones) — the ones from a constant, ConstantOfShape, or Equal(ids, ids);
//   constant triangles (a registered tril buffer);
//   Less / Greater over a Range and a reshaped Range (+ offsets).

// A bool mask selecting the scores that stay (Where(mask, scores, -big)) or, with
// `selects_dropped`, those that go (Where(mask, -big, scores)). `scores` is the shape of
// the scores it applies to. Appends the nodes building the mask to `visited`.
bool IsCausalBoolMask(const ir::Value* mask, const Shape& scores, bool selects_dropped,
                      std::vector<ir::Node*>& visited);

// What an additive mask (added to the scores) holds.
struct AdditiveMask {
  bool causal = false;             // a causal part was proven
  ir::Value* remainder = nullptr;  // what is left to add (nullptr: nothing)
  std::vector<ir::Node*> visited;  // nodes building the causal part
};

// Splits an additive mask into a causal part and a remainder: the whole mask may be
// causal (Where(keep, 0, -big), (1 - Cast(keep)) * -big), or one operand of an Add of
// two masks. Without a provable causal part, the remainder is the whole mask.
AdditiveMask AnalyzeAdditiveMask(ir::Value* mask, const Shape& scores);

}  // namespace hetero::passes
