// Reference kernels of the data-movement family, and the shape rules that inference
// and kernels share (Reshape targets, Slice clamping, Split sizes, Range length, Gather
// indices). Every kernel is dtype-agnostic: it moves elements by their byte size.
#pragma once

#include <cstdint>
#include <vector>

#include "hetero/shape.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// ONNX Reshape over symbolic dims: 0 copies the input dim at that position (symbolic
// dims too) unless `allowzero`; one -1 is inferred from the element count, or becomes an
// unknown dim when symbols leave it open. Fails on a count that cannot match.
StatusOr<Shape> ReshapeShape(const Shape& in, const std::vector<int64_t>& shape, bool allowzero);

// One sliced axis after ONNX clamping: elements start, start+step, ... (size of them).
struct SliceRange {
  int64_t axis = 0;
  int64_t start = 0;
  int64_t end = 0;  // as given (before clamping)
  int64_t step = 1;
};
// Validates and normalizes Slice's inputs for a rank: axes default to 0..n-1 and may be
// negative, steps default to 1 and must be nonzero, an axis may appear once.
StatusOr<std::vector<SliceRange>> SliceRanges(int64_t rank, const std::vector<int64_t>& starts,
                                              const std::vector<int64_t>& ends,
                                              const std::vector<int64_t>* axes,
                                              const std::vector<int64_t>* steps);
// Clamps one range against a static dim; sets `start` to the first index read and
// returns the number of elements.
int64_t ClampSlice(SliceRange& range, int64_t dim);

// Sizes of Split's outputs along a static dim of `dim`: from `split` when given (must
// sum to dim, one per output), else `num_outputs` parts of ceil(dim / num_outputs)
// with the last one smaller.
StatusOr<std::vector<int64_t>> SplitSizes(int64_t dim, const std::vector<int64_t>* split,
                                          size_t num_outputs);

// The element count of Range(start, limit, delta): max(ceil((limit - start) / delta), 0),
// exact for integers. Inputs are scalars of one dtype; delta 0 is an error.
StatusOr<int64_t> RangeLength(const Tensor& start, const Tensor& limit, const Tensor& delta);

// Gather's indices made non-negative; an index outside [-dim, dim) is an OutOfRange
// error naming it ("index 5000 out of range for dim 1000").
StatusOr<std::vector<int64_t>> NormalizeIndices(const Tensor& indices, int64_t dim);

// Transpose's perm made non-negative (empty: reverse); fails unless a permutation.
StatusOr<std::vector<int64_t>> NormalizePerm(const std::vector<int64_t>& perm, int64_t rank);

// The ints of a 1-D (or scalar) integer tensor: shapes, axes, starts.
std::vector<int64_t> ReadInts(const Tensor& t);

Status Reshape(const KernelContext& ctx);          // data, shape; allowzero
Status Squeeze(const KernelContext& ctx);          // x; axes
Status Unsqueeze(const KernelContext& ctx);        // x; axes
Status Transpose(const KernelContext& ctx);        // x; perm
Status Concat(const KernelContext& ctx);           // x...; axis
Status Split(const KernelContext& ctx);            // x, split?; axis, num_outputs
Status Slice(const KernelContext& ctx);            // data, starts, ends, axes?, steps?
Status Gather(const KernelContext& ctx);           // data, indices; axis
Status Expand(const KernelContext& ctx);           // x, shape
Status Trilu(const KernelContext& ctx);            // x, k?; upper
Status Range(const KernelContext& ctx);            // start, limit, delta
Status ConstantOfShape(const KernelContext& ctx);  // shape; value, dtype
Status ShapeOf(const KernelContext& ctx);          // x; start, end (the Shape op)
Status Size(const KernelContext& ctx);             // x

}  // namespace hetero::ops::reference
