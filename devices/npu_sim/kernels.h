// Fast f32 kernels for the simulated NPU's functional run: a packed-weight GEMM (the
// matrix engine's f32 accumulator, fused bias and activation), attention per head, and
// rounding to the chip's formats in bulk. Same contracts as ops/ reference kernels; sums
// may be ordered differently (within f32 rounding of the reference).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hetero/dtype.h"
#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::npu_sim {

// Runs fn(begin, end) over [0, count) in chunks; fn must not throw. An empty one runs
// everything on the calling thread.
using ParallelFor =
    std::function<void(int64_t count, const std::function<void(int64_t, int64_t)>&)>;

inline constexpr int64_t kPanelWidth = 16;

// A [k, n] matrix as ceil(n / 16) panels of k rows x 16 floats (zero past n). Immutable
// once built; shared by concurrent runs.
struct PackedMatrix {
  int64_t k = 0;
  int64_t n = 0;
  std::vector<float> data;
};

// Packs `b` ([k, n], or [n, k] when `transposed`), rounding each value to `format`
// (f32 keeps it).
std::shared_ptr<const PackedMatrix> PackMatrix(const float* b, int64_t k, int64_t n,
                                               bool transposed, DType format);

// c[m, n] = activation(a[m, k] . b + bias) with f32 accumulation; `bias` has n floats or
// is NULL; `activation` is ops' (NULL = none).
void GemmPacked(const float* a, int64_t m, const PackedMatrix& b, const float* bias,
                float (*activation)(float), float* c, const ParallelFor& parallel_for);

// A node the fast kernels run: MatMul/FusedMatMul on a packed constant right operand,
// or Attention on f32 operands. Returns false (having written nothing) when the
// reference kernel must run it.
StatusOr<bool> TryFastNode(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                           const PackedMatrix* packed_b, const ParallelFor& parallel_for);

// Rounds n floats to `format` in place (round to nearest even; fp8 saturates).
void RoundFloats(float* data, int64_t n, DType format, const ParallelFor& parallel_for);

}  // namespace hetero::npu_sim
