// Numpy-style broadcasting: of symbolic shapes (inference) and of concrete indices (kernels).
#pragma once

#include <cstdint>
#include <vector>

#include "hetero/shape.h"
#include "hetero/status.h"

namespace hetero::ops {

// The broadcast of two shapes. Static dims must be equal or 1; a symbol against 1 gives
// the symbol; a symbol against a number gives the number; two different symbols or an
// unknown against a non-1 give unknown.
StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);
StatusOr<std::vector<int64_t>> BroadcastDims(const std::vector<int64_t>& a,
                                             const std::vector<int64_t>& b);

// Row-major strides of `dims` in elements.
std::vector<int64_t> ContiguousStrides(const std::vector<int64_t>& dims);

// Strides (in elements) to read an input of `in_dims` as if it had `out_dims`:
// right-aligned, 0 on broadcast dims. `in_dims` must broadcast to `out_dims`.
std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in_dims,
                                      const std::vector<int64_t>& out_dims);

// Walks every index of `dims` in row-major order, keeping one offset per operand.
// Usage: for (BroadcastIter it(out_dims, {sa, sb}); !it.done(); it.Next())
//          out[it.linear()] = a[it.offset(0)] + b[it.offset(1)];
class BroadcastIter {
 public:
  BroadcastIter(const std::vector<int64_t>& dims, std::vector<std::vector<int64_t>> strides);
  bool done() const { return done_; }
  int64_t linear() const { return linear_; }
  int64_t offset(size_t operand) const { return offsets_[operand]; }
  void Next();

 private:
  std::vector<int64_t> dims_;
  std::vector<std::vector<int64_t>> strides_;
  std::vector<int64_t> index_;
  std::vector<int64_t> offsets_;
  int64_t linear_ = 0;
  bool done_ = false;
};

// Normalizes a possibly negative axis against a rank; fails when out of range.
StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank);

}  // namespace hetero::ops
