// Proves attention masks causal by construction, for the fuse-attention pass.
#include "compiler/passes/causal_mask.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "compiler/passes/pattern.h"
#include "compiler/passes/shape_values.h"

namespace hetero::passes {
namespace {

constexpr int kMaxDepth = 16;
constexpr int64_t kMaxConstantScan = int64_t{1} << 22;

// Over the last two dims (row i, column j), which elements are nonzero:
// lower: j - i <= k;  upper: j - i >= k.
struct Triangle {
  bool lower = true;
  int64_t k = 0;
  bool operator==(const Triangle&) const = default;
};

Triangle Complement(Triangle t) {
  return t.lower ? Triangle{false, t.k + 1} : Triangle{true, t.k - 1};
}

// A value varying along one of the last two dims only: v = (index along that dim) + offset.
struct Index {
  size_t from_end = 0;  // 0: the column (last dim), 1: the row
  int64_t offset = 0;
};

bool LastTwoDimsKept(const ir::Value* in, const ir::Value* out) {
  for (size_t i = 0; i < 2; ++i) {
    const auto a = DimFromEnd(in, i);
    const auto b = DimFromEnd(out, i);
    if (!a || !b || !SameDim(*a, *b)) return false;
  }
  return true;
}

// Whether a movement node keeps the last two dims of its input where they were, so that
// element (.., i, j) of the output is element (.., i, j) of some input slice.
bool KeepsLastTwoDims(const ir::Node& node) {
  const ir::Value* in = node.input(0);
  const ir::Value* out = node.output(0);
  if (node.op() == "Unsqueeze") {
    const auto rank = static_cast<int64_t>(out->type().shape.rank());
    for (int64_t axis : node.attrs().GetInts("axes")) {
      if ((axis < 0 ? axis + rank : axis) >= rank - 2) return false;
    }
    return in->type().shape.rank() >= 2;
  }
  if (node.op() == "Expand") {
    const auto shape = IntsConstant(node.input(1));
    if (shape && shape->size() >= 2 && shape->end()[-1] == 1 && shape->end()[-2] == 1 &&
        in->type().shape.rank() >= 2) {
      return true;
    }
    return LastTwoDimsKept(in, out);
  }
  if (node.op() == "Reshape" || node.op() == "Squeeze") return LastTwoDimsKept(in, out);
  return false;
}

// Whether every element of `value` is 1 (or true).
bool IsAllOnes(const ir::Value* value, int depth = 0) {
  if (value == nullptr || depth > kMaxDepth) return false;
  if (const auto splat = SplatValue(value)) return *splat == 1.0;
  const ir::Node* node = value->producer();
  if (node == nullptr) return false;
  const std::string& op = node->op();
  if (op == "Equal") {
    return node->input(0) == node->input(1) && !IsFloat(node->input(0));
  }
  if (op == "Mul" || op == "And") {
    return IsAllOnes(node->input(0), depth + 1) && IsAllOnes(node->input(1), depth + 1);
  }
  const bool passes = op == "Cast" || op == "ReduceMax" || op == "ReduceMin" ||
                      op == "ReduceMean" || op == "Unsqueeze" || op == "Squeeze" ||
                      op == "Reshape" || op == "Expand" || op == "Transpose" || op == "Slice" ||
                      op == "Gather";
  return passes && IsAllOnes(node->input(0), depth + 1);
}

// The triangle of nonzeros of a constant, the same for every leading index.
std::optional<Triangle> ConstantTriangle(const Tensor& t) {
  if (t.rank() < 2 || t.num_elements() == 0 || t.num_elements() > kMaxConstantScan ||
      t.empty_storage()) {
    return std::nullopt;
  }
  const int64_t rows = t.dim(t.rank() - 2);
  const int64_t cols = t.dim(t.rank() - 1);
  std::optional<Triangle> found;
  // A row strictly between empty and full fixes k; every element must then agree.
  for (int64_t i = 0; i < rows && !found; ++i) {
    int64_t nonzero = 0;
    for (int64_t j = 0; j < cols; ++j) nonzero += t.GetDouble(i * cols + j) != 0 ? 1 : 0;
    if (nonzero == 0 || nonzero == cols) continue;
    const bool lower = t.GetDouble(i * cols) != 0;
    found = lower ? Triangle{true, nonzero - 1 - i} : Triangle{false, cols - nonzero - i};
  }
  if (!found) return std::nullopt;
  for (int64_t e = 0; e < t.num_elements(); ++e) {
    const int64_t i = (e / cols) % rows;
    const int64_t d = e % cols - i;
    const bool expected = found->lower ? d <= found->k : d >= found->k;
    if ((t.GetDouble(e) != 0) != expected) return std::nullopt;
  }
  return found;
}

std::optional<Index> IndexOf(const ir::Value* value, std::vector<ir::Node*>& visited,
                             int depth = 0);

std::optional<Triangle> TriangleOf(const ir::Value* value, std::vector<ir::Node*>& visited,
                                   int depth = 0);

// Less(a, b) over a column index and a row index.
std::optional<Triangle> CompareTriangle(const ir::Value* a, const ir::Value* b,
                                        std::vector<ir::Node*>& visited) {
  const auto ia = IndexOf(a, visited);
  const auto ib = IndexOf(b, visited);
  if (!ia || !ib || ia->from_end == ib->from_end) return std::nullopt;
  if (ia->from_end == 0) return Triangle{true, ib->offset - ia->offset - 1};  // j+ca < i+cb
  return Triangle{false, ia->offset - ib->offset + 1};                        // i+ca < j+cb
}

std::optional<Triangle> SliceTriangle(const ir::Node& slice, std::vector<ir::Node*>& visited,
                                      int depth) {
  const auto rank = static_cast<int64_t>(slice.input(0)->type().shape.rank());
  const auto starts = IntsConstant(slice.input(1));
  const auto axes = IntsConstant(slice.input(3));
  const auto steps = slice.input(4) ? IntsConstant(slice.input(4)) : std::nullopt;
  if (rank < 2 || !starts || !axes || starts->size() != axes->size() ||
      (slice.input(4) && (!steps || steps->size() != axes->size()))) {
    return std::nullopt;
  }
  int64_t row_start = 0, col_start = 0;
  for (size_t n = 0; n < axes->size(); ++n) {
    const int64_t axis = (*axes)[n] < 0 ? (*axes)[n] + rank : (*axes)[n];
    if (axis < rank - 2) continue;
    if ((*starts)[n] < 0 || (steps && (*steps)[n] != 1)) return std::nullopt;
    (axis == rank - 2 ? row_start : col_start) = (*starts)[n];
  }
  auto inner = TriangleOf(slice.input(0), visited, depth + 1);
  if (inner) inner->k += row_start - col_start;
  return inner;
}

std::optional<Triangle> TriangleOf(const ir::Value* value, std::vector<ir::Node*>& visited,
                                   int depth) {
  if (value == nullptr || depth > kMaxDepth) return std::nullopt;
  if (const Tensor* t = value->constant()) return ConstantTriangle(*t);
  ir::Node* node = value->producer();
  if (node == nullptr) return std::nullopt;
  visited.push_back(node);
  const std::string& op = node->op();
  if (op == "Cast") {
    const DType from = node->input(0)->type().dtype;
    const bool keeps_nonzero =
        value->type().dtype == DType::kBool || !IsFloat(from) || IsFloat(value);
    return keeps_nonzero ? TriangleOf(node->input(0), visited, depth + 1) : std::nullopt;
  }
  if (op == "Not") {
    auto inner = TriangleOf(node->input(0), visited, depth + 1);
    return inner ? std::optional<Triangle>(Complement(*inner)) : std::nullopt;
  }
  if (op == "Trilu") {
    if (!IsAllOnes(node->input(0))) return std::nullopt;
    int64_t k = 0;
    if (node->input(1) != nullptr) {
      const auto ks = IntsConstant(node->input(1));
      if (!ks || ks->size() != 1) return std::nullopt;
      k = (*ks)[0];
    }
    return Triangle{node->attrs().GetInt("upper", 1) == 0, k};
  }
  if (op == "Less") return CompareTriangle(node->input(0), node->input(1), visited);
  if (op == "Greater") return CompareTriangle(node->input(1), node->input(0), visited);
  if (op == "Slice") return SliceTriangle(*node, visited, depth);
  if (KeepsLastTwoDims(*node)) return TriangleOf(node->input(0), visited, depth + 1);
  return std::nullopt;
}

// Where the varying dim of a 1-D index lands when it is reshaped to `out`: the last dim
// ([1.., L]: a column index) or the one before ([1.., L, 1]: a row index); nullopt when
// another dim is not 1.
std::optional<size_t> IndexPlacement(const Shape& out) {
  auto is_one = [](const Dim& d) { return d.is_static() && d.value() == 1; };
  const size_t rank = out.rank();
  if (rank == 0) return std::nullopt;
  const size_t from_end = rank >= 2 && is_one(out[rank - 1]) ? 1 : 0;
  for (size_t i = 0; i + 1 + from_end < rank; ++i) {
    if (!is_one(out[i])) return std::nullopt;
  }
  return from_end;
}

std::optional<Index> IndexOf(const ir::Value* value, std::vector<ir::Node*>& visited, int depth) {
  if (value == nullptr || depth > kMaxDepth) return std::nullopt;
  ir::Node* node = value->producer();
  if (node == nullptr) return std::nullopt;
  visited.push_back(node);
  const std::string& op = node->op();
  if (op == "Range") {
    const auto start = SplatValue(node->input(0));
    const auto delta = SplatValue(node->input(2));
    if (!start || !delta || *delta != 1.0 || *start != static_cast<double>(int64_t(*start))) {
      return std::nullopt;
    }
    return Index{0, static_cast<int64_t>(*start)};
  }
  if (op == "Cast") return IndexOf(node->input(0), visited, depth + 1);
  if (op == "Add" || op == "Sub") {
    for (size_t i = 0; i < 2; ++i) {
      const auto c = SplatValue(node->input(i));
      if (!c || *c != static_cast<double>(int64_t(*c)) || (op == "Sub" && i == 0)) continue;
      auto inner = IndexOf(node->input(1 - i), visited, depth + 1);
      if (inner) inner->offset += op == "Add" ? int64_t(*c) : -int64_t(*c);
      return inner;
    }
    return std::nullopt;
  }
  if (op == "Unsqueeze" || op == "Reshape") {
    auto inner = IndexOf(node->input(0), visited, depth + 1);
    if (!inner || inner->from_end != 0 || node->input(0)->type().shape.rank() != 1) {
      return std::nullopt;
    }
    const auto from_end = IndexPlacement(value->type().shape);
    if (from_end) inner->from_end = *from_end;
    return from_end ? inner : std::nullopt;
  }
  return std::nullopt;
}

// The size of dim `from_end` (0: last) of a mask at run time, when provable. Beyond the
// recorded type, a Slice from 0 to a shape value holding a symbol takes that symbol:
// the Slice clamps to its input's size, and a clamped mask could not broadcast against
// scores of the symbol's size, so every run where the mask applies has the symbol's size.
std::optional<Dim> MaskDim(const ir::Value* mask, size_t from_end, ShapeValues& shapes,
                           int depth = 0) {
  const auto recorded = DimFromEnd(mask, from_end);
  if (!recorded || !recorded->is_unknown()) return recorded;
  const ir::Node* node = mask->producer();
  if (node == nullptr || depth > kMaxDepth) return std::nullopt;
  if (node->op() == "Cast" || node->op() == "Not") {
    return MaskDim(node->input(0), from_end, shapes, depth + 1);
  }
  if (node->op() != "Slice" || node->input(3) == nullptr) return std::nullopt;
  const auto rank = static_cast<int64_t>(mask->type().shape.rank());
  const auto starts = IntsConstant(node->input(1));
  const auto axes = IntsConstant(node->input(3));
  const auto& ends = shapes.Get(node->input(2));
  if (!starts || !axes || !ends || ends->elements.size() != axes->size() ||
      starts->size() != axes->size()) {
    return std::nullopt;
  }
  const int64_t wanted = rank - 1 - static_cast<int64_t>(from_end);
  for (size_t n = 0; n < axes->size(); ++n) {
    if (((*axes)[n] < 0 ? (*axes)[n] + rank : (*axes)[n]) != wanted) continue;
    const SymInt& end = ends->elements[n];
    const bool unit_step = node->input(4) == nullptr ||
                           IntsConstant(node->input(4)) == std::vector<int64_t>(axes->size(), 1);
    if ((*starts)[n] != 0 || !unit_step || !end.is_symbol()) return std::nullopt;
    return Dim::Symbol(end.symbol);
  }
  return MaskDim(node->input(0), from_end, shapes, depth + 1);
}

// The mask's and the scores' last two dims all provably one size.
bool SquareLike(const ir::Value* mask, const Shape& scores) {
  if (scores.rank() < 2) return false;
  const Dim& sq = scores[scores.rank() - 2];
  const Dim& skv = scores[scores.rank() - 1];
  ShapeValues shapes;
  const auto mq = MaskDim(mask, 1, shapes);
  const auto mk = MaskDim(mask, 0, shapes);
  return mq && mk && SameDim(sq, skv) && SameDim(*mq, sq) && SameDim(*mk, skv);
}

bool IsCausalTriangle(const ir::Value* keep, std::vector<ir::Node*>& visited) {
  const auto t = TriangleOf(keep, visited);
  return t && *t == Triangle{true, 0};
}

// A causal additive mask: 0 where query i may see key j <= i, at most kMaskFillLimit
// elsewhere.
bool IsCausalAdditive(ir::Value* mask, std::vector<ir::Node*>& visited, int depth = 0) {
  ir::Node* node = mask->producer();
  if (node == nullptr || depth > kMaxDepth) return false;
  visited.push_back(node);
  auto is_fill = [](const ir::Value* v) {
    const auto s = SplatValue(v);
    return s && *s <= kMaskFillLimit;
  };
  if (node->op() == "Where") {
    if (IsSplatNear(node->input(1), 0.0, 0) && is_fill(node->input(2))) {
      return IsCausalTriangle(node->input(0), visited);
    }
    if (is_fill(node->input(1)) && IsSplatNear(node->input(2), 0.0, 0)) {
      const auto t = TriangleOf(node->input(0), visited);
      return t && *t == Triangle{false, 1};
    }
    return false;
  }
  if (node->op() == "Mul") {
    for (size_t i = 0; i < 2; ++i) {
      if (!is_fill(node->input(i))) continue;
      // A 0/1 indicator of the masked entries: 1 - Cast(keep) or Cast(masked).
      const ir::Value* indicator = node->input(1 - i);
      const ir::Node* sub = Producer(indicator, "Sub");
      const bool flip = sub != nullptr && IsSplatNear(sub->input(0), 1.0, 0);
      const ir::Node* cast = Producer(flip ? sub->input(1) : indicator, "Cast");
      if (cast == nullptr || cast->input(0)->type().dtype != DType::kBool) return false;
      const auto t = TriangleOf(cast->input(0), visited);
      return t && *t == (flip ? Triangle{true, 0} : Triangle{false, 1});
    }
    return false;
  }
  if (KeepsLastTwoDims(*node) || (node->op() == "Cast" && IsFloat(node->input(0)))) {
    return IsCausalAdditive(node->input(0), visited, depth + 1);
  }
  return false;
}

}  // namespace

bool IsCausalBoolMask(const ir::Value* mask, const Shape& scores, bool selects_dropped,
                      std::vector<ir::Node*>& visited) {
  if (!SquareLike(mask, scores)) return false;
  const auto t = TriangleOf(mask, visited);
  return t && *t == (selects_dropped ? Triangle{false, 1} : Triangle{true, 0});
}

AdditiveMask AnalyzeAdditiveMask(ir::Value* mask, const Shape& scores) {
  AdditiveMask result;
  if (SquareLike(mask, scores) && IsCausalAdditive(mask, result.visited)) {
    result.causal = true;
    return result;
  }
  result.visited.clear();
  if (ir::Node* add = Producer(mask, "Add")) {
    for (size_t i = 0; i < 2; ++i) {
      std::vector<ir::Node*> visited = {add};
      ir::Value* part = add->input(i);
      if (SquareLike(part, scores) && IsCausalAdditive(part, visited)) {
        return AdditiveMask{true, add->input(1 - i), std::move(visited)};
      }
    }
  }
  result.remainder = mask;
  return result;
}

}  // namespace hetero::passes
