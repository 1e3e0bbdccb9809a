// f32 GEMM on packed weights: the right operand packed once into kGemmNr-column panels,
// row and column blocks of the output run in parallel on the host's arena.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "devices/cpu/kernels/kernel_table.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::cpu {

// A [k, n] f32 matrix as ceil(n / kGemmNr) panels; panel p holds k rows of kGemmNr
// floats (columns p * kGemmNr ...), zero past n. Immutable once built; shared freely.
// A packed matrix seen by the GEMM: panel p at data + p * panel_stride, its k rows of
// kGemmNr 4-byte slots contiguous (a view may start rows into its panels). In f32 a slot
// is a float and k the inner dim; in bf16 a slot holds the bf16 values of rows 2i (low
// half) and 2i + 1 of one column, k is ceil(inner dim / 2) and inner_dim says which.
struct PackedMatrix {
  const float* data = nullptr;
  int64_t k = 0;
  int64_t n = 0;
  int64_t panels = 0;
  int64_t panel_stride = 0;
  int64_t inner_dim = 0;  // columns of the left operand
  bool bf16 = false;
  const float* Panel(int64_t p) const { return data + p * panel_stride; }
};

struct PackedWeights {
  int64_t k = 0;  // rows of slots (see PackedMatrix)
  int64_t n = 0;
  int64_t panels = 0;
  int64_t inner_dim = 0;
  bool bf16 = false;
  std::vector<float> data;
  PackedMatrix View() const { return {data.data(), k, n, panels, k * kGemmNr, inner_dim, bf16}; }
  // f32 only: rows [row0, row0 + rows) and panels [panel0, panel0 + count).
  PackedMatrix Sub(int64_t row0, int64_t rows, int64_t panel0, int64_t count) const {
    const int64_t cols = std::min(n - panel0 * kGemmNr, count * kGemmNr);
    return {data.data() + panel0 * k * kGemmNr + row0 * kGemmNr,
            rows,
            cols,
            count,
            k * kGemmNr,
            rows,
            false};
  }
};

// Packs a rank-2 f32 tensor, [k, n] (or [n, k] when transposed), as f32 or as bf16
// (rounded to nearest even) for paths with a bf16 GEMM tile.
StatusOr<std::shared_ptr<const PackedWeights>> PackWeights(const Tensor& b, bool transposed,
                                                           bool bf16 = false);

// Packs a [k, n] f32 matrix whose rows are `ld` floats apart (transposed: an [n, k]
// matrix, rows ld apart) into `out` as f32 panels, reusing out's storage: for operands
// packed at run time (attention's keys and values, batched products).
void PackWeightsInto(const float* src, int64_t k, int64_t n, int64_t ld, bool transposed,
                     PackedWeights* out);

// f32 to bf16, rounding to nearest even (NaN stays NaN).
uint16_t ToBf16(float x);

// Runs fn(begin, end) over [0, count), in parallel or not; fn must not throw.
using ParallelForFn = std::function<void(uint64_t count, uint64_t grain,
                                         const std::function<void(uint64_t, uint64_t)>& fn)>;

// The two phases of a packed GEMM: `pack(begin, end)` over `tiles` left-operand tiles
// (`pack_grain` per task), then `compute(begin, end)` over `tasks` blocks. On the calling
// thread when there is no `parallel_for`, a single block or `small` work; else each phase
// through `parallel_for`, the second after the first.
template <typename Pack, typename Compute>
void PackThenCompute(const ParallelForFn& parallel_for, uint64_t tiles, uint64_t pack_grain,
                     uint64_t tasks, bool small, const Pack& pack, const Compute& compute) {
  if (!parallel_for || tasks < 2 || small) {
    pack(0, tiles);
    compute(0, tasks);
  } else {
    parallel_for(tiles, pack_grain, pack);
    parallel_for(tasks, 1, compute);
  }
}

struct GemmArgs {
  const float* a = nullptr;  // [m, k], rows lda apart
  int64_t m = 0;
  int64_t lda = 0;
  PackedMatrix b;
  const float* bias = nullptr;  // n floats or NULL
  Activation activation = Activation::kNone;
  float* c = nullptr;  // [m, n], rows ldc apart
  int64_t ldc = 0;
  bool accumulate = false;  // c += a · b (+ bias, then activation): c is read first
};

// c = activation(a · b + bias), or activation(c + a · b + bias) with `accumulate`. Work below a few
// hundred kFLOP runs on the calling thread; the rest as tiles through `parallel_for` (NULL: on the
// calling thread). With bf16 weights the left operand is rounded to bf16 too, products are summed
// in f32. Fails when memory for the packed left operand cannot be had, or for bf16 weights on a
// path without a bf16 tile.
Status Gemm(const KernelTable& kernels, const GemmArgs& args, const ParallelForFn& parallel_for);

// The table whose tile Gemm runs the product on: `kernels`, or its bf16_fallback for a
// bf16 product its tile does not take (too few rows, k not in whole tile steps).
const KernelTable& TableFor(const KernelTable& kernels, const GemmArgs& args);

}  // namespace hetero::cpu
