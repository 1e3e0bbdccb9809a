// Matching helpers for the norm fusions: n / sqrt(v + eps) in its exported forms, squares,
// and fitting scale and bias operands to LayerNorm / RMSNorm.
#include "compiler/passes/norm_pattern.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

// The double with the fewest digits that reads back as the same float: an f32 epsilon
// written 1e-5 becomes the attribute 1e-05, not 9.99999974737875e-06.
double ShortestFloat(double value) {
  char text[32];
  const auto printed = std::to_chars(text, text + sizeof(text), static_cast<float>(value));
  double shortest = value;
  std::from_chars(text, printed.ptr, shortest);
  return shortest;
}

// Add(v, eps) with eps a splat constant: fills in the variance and epsilon.
bool MatchAddEpsilon(ir::Value* value, InvSqrtMatch& match, std::vector<ir::Node*>& matched) {
  ir::Node* add = Producer(value, "Add");
  if (add == nullptr) return false;
  for (size_t i = 0; i < 2; ++i) {
    const std::optional<double> eps = SplatValue(add->input(i));
    ir::Value* other = add->input(1 - i);
    if (eps && std::isfinite(*eps) && *eps >= 0 && !SplatValue(other)) {
      match.variance = other;
      match.epsilon = add->input(i)->type().dtype == DType::kF32 ? ShortestFloat(*eps) : *eps;
      matched.push_back(add);
      return true;
    }
  }
  return false;
}

// Sqrt(Add(v, eps)).
bool MatchSqrt(ir::Value* value, InvSqrtMatch& match, std::vector<ir::Node*>& matched) {
  ir::Node* sqrt = Producer(value, "Sqrt");
  if (sqrt == nullptr) return false;
  matched.push_back(sqrt);
  return MatchAddEpsilon(sqrt->input(0), match, matched);
}

// 1 / Sqrt(Add(v, eps)) as Reciprocal, Rsqrt or Div(1, ·).
bool MatchInvSqrt(ir::Value* value, InvSqrtMatch& match, std::vector<ir::Node*>& matched) {
  if (ir::Node* n = Producer(value, "Reciprocal")) {
    matched.push_back(n);
    return MatchSqrt(n->input(0), match, matched);
  }
  if (ir::Node* n = Producer(value, "Rsqrt")) {
    matched.push_back(n);
    return MatchAddEpsilon(n->input(0), match, matched);
  }
  if (ir::Node* n = Producer(value, "Div"); n != nullptr && IsSplatNear(n->input(0), 1.0, 0)) {
    matched.push_back(n);
    return MatchSqrt(n->input(1), match, matched);
  }
  return false;
}

}  // namespace

std::optional<InvSqrtMatch> MatchDivBySqrt(ir::Node* node, std::vector<ir::Node*>& matched) {
  if (node == nullptr || node->inputs().size() != 2) return std::nullopt;
  InvSqrtMatch match;
  std::vector<ir::Node*> found = {node};
  if (node->op() == "Div" && MatchSqrt(node->input(1), match, found)) {
    match.numerator = node->input(0);
  } else if (node->op() == "Mul") {
    for (size_t i = 0; i < 2 && match.numerator == nullptr; ++i) {
      found.resize(1);
      if (MatchInvSqrt(node->input(i), match, found)) match.numerator = node->input(1 - i);
    }
  }
  if (match.numerator == nullptr) return std::nullopt;
  matched.insert(matched.end(), found.begin(), found.end());
  return match;
}

bool MatchSquare(const ir::Value* square, const ir::Value* base, std::vector<ir::Node*>& matched) {
  ir::Node* node = square->producer();
  if (node == nullptr || node->inputs().size() != 2 || node->input(0) != base) return false;
  const bool squares = (node->op() == "Pow" && IsSplatNear(node->input(1), 2.0, 0)) ||
                       (node->op() == "Mul" && node->input(1) == base);
  if (squares) matched.push_back(node);
  return squares;
}

bool BroadcastsOverNormalized(const ir::Value* param, const ir::Value* x, size_t normalized) {
  const Shape& p = param->type().shape;
  const Shape& xs = x->type().shape;
  if (normalized == 0 || normalized > xs.rank()) return false;
  for (size_t i = 0; i < p.rank(); ++i) {
    const Dim& d = p[p.rank() - 1 - i];
    const bool one = d.is_static() && d.value() == 1;
    if (i >= normalized ? !one : !(one || DimsCompatible(d, xs[xs.rank() - 1 - i]))) return false;
  }
  return true;
}

StatusOr<ir::Value*> TrimLeadingOnes(ir::Graph& graph, ir::Value* param, size_t normalized) {
  const size_t rank = param->type().shape.rank();
  if (rank <= normalized) return param;
  if (!param->is_constant()) return nullptr;
  const Tensor& data = *param->constant();
  std::vector<int64_t> dims(data.dims().end() - static_cast<std::ptrdiff_t>(normalized),
                            data.dims().end());
  HETERO_ASSIGN_OR_RETURN(Tensor reshaped, data.Reshaped(std::move(dims)));
  return graph.AddConstant(graph.UniqueName(param->name()), std::move(reshaped));
}

StatusOr<ir::Value*> OnesOverNormalized(ir::Graph& graph, const ir::Value* x, size_t normalized) {
  const Shape& xs = x->type().shape;
  if (normalized == 0 || normalized > xs.rank()) return nullptr;
  std::vector<int64_t> dims;
  for (size_t i = xs.rank() - normalized; i < xs.rank(); ++i) {
    if (!xs[i].is_static()) return nullptr;
    dims.push_back(xs[i].value());
  }
  HETERO_ASSIGN_OR_RETURN(Tensor ones, Tensor::Allocate(x->type().dtype, std::move(dims)));
  for (int64_t i = 0; i < ones.num_elements(); ++i) ones.SetDouble(i, 1.0);
  return graph.AddConstant(graph.UniqueName("ones"), std::move(ones));
}

StatusOr<bool> FitNormOperands(ir::Graph& graph, const ir::Value* x, size_t normalized,
                               ir::Value*& scale, ir::Value*& bias, std::vector<ir::Value*>& made) {
  ir::Value* const given_scale = scale;
  ir::Value* const given_bias = bias;
  if (scale == nullptr) {
    HETERO_ASSIGN_OR_RETURN(scale, OnesOverNormalized(graph, x, normalized));
  } else {
    HETERO_ASSIGN_OR_RETURN(scale, TrimLeadingOnes(graph, scale, normalized));
  }
  if (scale != nullptr && scale != given_scale) made.push_back(scale);
  if (bias != nullptr) {
    HETERO_ASSIGN_OR_RETURN(bias, TrimLeadingOnes(graph, bias, normalized));
    if (bias != nullptr && bias != given_bias) made.push_back(bias);
  }
  return scale != nullptr && (given_bias == nullptr || bias != nullptr);
}

}  // namespace hetero::passes
