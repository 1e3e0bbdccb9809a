// Matching helpers for the norm fusions: n / sqrt(v + eps) in its exported forms, squares,
// and fitting scale and bias operands to LayerNorm / RMSNorm.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::passes {

// y = numerator / sqrt(variance + epsilon) in the forms exporters write:
//   Div(n, Sqrt(Add(v, eps)))       Mul(n, Reciprocal(Sqrt(Add(v, eps))))
//   Mul(n, Div(1, Sqrt(Add(v, eps))))   Mul(n, Rsqrt(Add(v, eps)))
// with eps a splat constant added before the square root. `node` computes y; the nodes
// of the form (node included) are appended to `matched`.
struct InvSqrtMatch {
  ir::Value* numerator = nullptr;
  ir::Value* variance = nullptr;
  double epsilon = 0;
};
std::optional<InvSqrtMatch> MatchDivBySqrt(ir::Node* node, std::vector<ir::Node*>& matched);

// Whether `square` is base² written as Pow(base, 2) or Mul(base, base); its node is
// appended to `matched`.
bool MatchSquare(const ir::Value* square, const ir::Value* base, std::vector<ir::Node*>& matched);

// Whether a norm's scale or bias `param` varies over the last `normalized` dims of `x`
// only: right-aligned, each dim 1 or x's, and any dims beyond those static 1s.
bool BroadcastsOverNormalized(const ir::Value* param, const ir::Value* x, size_t normalized);
// `param` with leading 1s dropped down to rank `normalized` (a reshaped constant, so the
// norm op accepts it); `param` itself when its rank is already small enough; nullptr
// when it is not a constant and would need a Reshape.
StatusOr<ir::Value*> TrimLeadingOnes(ir::Graph& graph, ir::Value* param, size_t normalized);
// A constant of ones over the last `normalized` dims of x (x's dtype), for a norm whose
// pattern had no scale; nullptr when those dims are not static.
StatusOr<ir::Value*> OnesOverNormalized(ir::Graph& graph, const ir::Value* x, size_t normalized);

// The scale and bias operands of a fused norm over the last `normalized` dims of x:
// `scale` (nullptr: ones) and `bias` (nullptr: none) made to fit by the two helpers
// above. Constants it adds are appended to `made`. False when one cannot be made to fit.
StatusOr<bool> FitNormOperands(ir::Graph& graph, const ir::Value* x, size_t normalized,
                               ir::Value*& scale, ir::Value*& bias, std::vector<ir::Value*>& made);

}  // namespace hetero::passes
