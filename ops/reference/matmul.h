// Reference kernels of the matmul family, the numpy matmul shape rule they share with
// MatMulInteger, and the f32 staging helpers the float kernels of other families reuse.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "hetero/shape.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// The output shape of numpy matmul over symbolic dims. The flags swap the last two dims
// of an operand of rank >= 2 first; a 1-D `a` is read as [1,K] and a 1-D `b` as [K,1],
// and the added dim is dropped from the result. Batch dims broadcast. Fails when an
// operand is a scalar, when static inner dims differ (naming both) or batch dims clash.
StatusOr<Shape> MatMulShape(const Shape& a, const Shape& b, bool transpose_a, bool transpose_b);

// A batched matmul over concrete dims: out[batch][m][n] = sum_k A(m,k) * B(k,n), where
// A and B are matrices inside the operands' buffers at the given element offsets.
struct MatMulPlan {
  std::vector<int64_t> out_dims;
  int64_t m = 0, n = 0, k = 0;
  bool transpose_a = false;        // A(i,kk) is stored at kk*m + i (only for rank >= 2)
  bool transpose_b = false;        // B(kk,j) is stored at j*k + kk
  std::vector<int64_t> a_offsets;  // one per batch entry, in elements
  std::vector<int64_t> b_offsets;
};

StatusOr<MatMulPlan> PlanMatMul(const std::vector<int64_t>& a_dims,
                                const std::vector<int64_t>& b_dims, bool transpose_a,
                                bool transpose_b);

// Runs a plan over f32 data, accumulating in f32 in k order; `out` holds
// batch*m*n floats and is overwritten.
void MatMulF32(const MatMulPlan& plan, const float* a, const float* b, float* out);
// Runs a plan over int64 data with exact (wrapping) int64 accumulation.
void MatMulI64(const MatMulPlan& plan, const int64_t* a, const int64_t* b, int64_t* out);

// A tensor's elements as f32 (every float dtype converts exactly; integers as C++ does).
std::vector<float> ToF32(const Tensor& t);
std::vector<int64_t> ToI64(const Tensor& t);
// Stores f32 values into `out`, rounding to nearest even for narrower float dtypes.
void StoreF32(const float* values, Tensor& out);
// Fails unless `out` has `dims` (the caller allocated it from inference).
Status CheckOutputDims(std::string_view op, const Tensor& out, const std::vector<int64_t>& dims);

// Applies a FusedMatMul activation by name ("none", "relu", "gelu", "gelu_tanh", "silu").
StatusOr<float (*)(float)> ActivationByName(std::string_view name);

// inputs a, b; attrs transpose_a, transpose_b.
Status MatMul(const KernelContext& ctx);
// inputs a, b, bias (optional); attrs transpose_a, transpose_b, activation.
Status FusedMatMul(const KernelContext& ctx);

}  // namespace hetero::ops::reference
