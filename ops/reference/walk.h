// Row-wise walks over broadcast operands, shared by the reference kernels.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ops/broadcast.h"

namespace hetero::ops::reference {

// Calls row(out_offset, offsets, steps, length) once per row of `dims` along its last
// dim, in row-major order: offsets[k] is operand k's element offset at the start of the
// row and steps[k] its stride along the row. strides[k] are operand k's strides over
// `dims` (0 on broadcast dims). A rank-0 `dims` is one row of length 1; an empty
// tensor has no rows.
template <size_t N, typename RowFn>
void ForEachRow(const std::vector<int64_t>& dims,
                const std::array<std::vector<int64_t>, N>& strides, RowFn&& row) {
  std::array<int64_t, N> offsets{};
  std::array<int64_t, N> steps{};
  if (dims.empty()) {
    row(int64_t{0}, offsets, steps, int64_t{1});
    return;
  }
  const int64_t length = dims.back();
  if (length == 0) return;
  const std::vector<int64_t> outer(dims.begin(), dims.end() - 1);
  std::vector<std::vector<int64_t>> outer_strides(N);
  for (size_t k = 0; k < N; ++k) {
    steps[k] = strides[k].back();
    outer_strides[k].assign(strides[k].begin(), strides[k].end() - 1);
  }
  for (BroadcastIter it(outer, std::move(outer_strides)); !it.done(); it.Next()) {
    for (size_t k = 0; k < N; ++k) offsets[k] = it.offset(k);
    row(it.linear() * length, offsets, steps, length);
  }
}

// ForEachRow over the broadcast of N operands of `in_dims` to `out_dims`. When every
// operand already has `out_dims`, the whole tensor is one contiguous row.
template <size_t N, typename RowFn>
void ForEachBroadcastRow(const std::vector<int64_t>& out_dims,
                         const std::array<const std::vector<int64_t>*, N>& in_dims, RowFn&& row) {
  bool same = true;
  for (const std::vector<int64_t>* d : in_dims) same = same && *d == out_dims;
  if (same) {
    int64_t count = 1;
    for (int64_t d : out_dims) count *= d;
    std::array<int64_t, N> offsets{};
    std::array<int64_t, N> steps{};
    steps.fill(1);
    if (count > 0) row(int64_t{0}, offsets, steps, count);
    return;
  }
  std::array<std::vector<int64_t>, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = BroadcastStrides(*in_dims[k], out_dims);
  ForEachRow<N>(out_dims, strides, row);
}

}  // namespace hetero::ops::reference
