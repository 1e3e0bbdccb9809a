// Shape values: what the small integer tensors of exporter shape arithmetic hold, element
// by element, as numbers or dim symbols — known even when the dims are symbolic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/graph.h"

namespace hetero::passes {

// One element: a number, a dim symbol ("batch"), or unknown.
struct SymInt {
  std::optional<int64_t> number;
  std::string symbol;  // set only when `number` is not

  static SymInt Number(int64_t n) { return SymInt{n, {}}; }
  static SymInt FromDim(const Dim& d);
  bool is_number() const { return number.has_value(); }
  bool is_symbol() const { return !number && !symbol.empty(); }
  bool is_unknown() const { return !number && symbol.empty(); }
  bool operator==(const SymInt& other) const = default;
};

// The elements of an integer scalar or 1-D value, in order.
struct ShapeValue {
  std::vector<SymInt> elements;
  bool scalar = false;  // rank 0 (one element)
  bool all_numbers() const;
  std::vector<int64_t> numbers() const;  // requires all_numbers()
};

// Computes shape values on demand, following Shape, Size, Gather, Slice, Concat,
// Unsqueeze, Squeeze, Reshape, Cast, Add, Sub, Mul, Div, Equal, Where and constants back
// from a value (bool values hold 0 and 1).
// Reads types as they are when asked: a pass that tightens types in topological order
// may ask about a value once everything above it is final. Not thread-safe.
class ShapeValues {
 public:
  // nullopt when the value is not an i64/i32/bool scalar or short 1-D tensor, or when nothing
  // is known about it beyond that.
  const std::optional<ShapeValue>& Get(const ir::Value* value);

 private:
  std::optional<ShapeValue> Compute(const ir::Value* value, int depth);
  const std::optional<ShapeValue>& GetAt(const ir::Value* value, int depth);

  std::unordered_map<const ir::Value*, std::optional<ShapeValue>> memo_;
};

// A constant shape input for Reshape(data, shape) with the same result, when `shape`'s
// elements allow one: numbers stay, a symbol equal to data's dim at the same position
// becomes 0 (copy, unless `allowzero`), and at most one element that is left (or an
// existing -1) becomes -1. nullopt when that is not possible.
std::optional<std::vector<int64_t>> ConstantReshapeShape(const Shape& data, const ShapeValue& shape,
                                                         bool allowzero);

// A constant shape input for Expand(x, shape) with the same result: numbers stay, and a
// symbol equal to x's dim at the same (right-aligned) position becomes 1.
std::optional<std::vector<int64_t>> ConstantExpandShape(const Shape& x, const ShapeValue& shape);

// The dims a shape value describes (for Reshape outputs, Expand, ConstantOfShape):
// numbers >= 0 and symbols as they are, anything else unknown.
std::vector<Dim> DimsOf(const ShapeValue& shape);

}  // namespace hetero::passes
