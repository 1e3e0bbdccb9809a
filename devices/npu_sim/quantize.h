// int8 on the simulated NPU: per-channel symmetric weight scales, per-tensor activation
// scales from calibration, saturation to int8, int32 accumulation.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "devices/npu_sim/kernels.h"

namespace hetero::npu_sim {

// A [k, n] weight matrix in int8, row-major, with one scale per output channel (column):
// w ~= q[kk, j] * scale[j], scale[j] = max |w[:, j]| / 127 (1 for an all-zero column).
struct QuantizedMatrix {
  int64_t k = 0;
  int64_t n = 0;
  std::vector<int8_t> q;
  std::vector<float> scale;
};

// Quantizes `b` ([k, n], or [n, k] when `transposed`) per output channel.
std::shared_ptr<const QuantizedMatrix> QuantizeWeights(const float* b, int64_t k, int64_t n,
                                                       bool transposed);

// round-half-to-even(x / scale) saturated to [-128, 127]; NaN gives 0.
int8_t QuantizeInt8(float x, float scale);

// The per-tensor activation scale for values whose largest magnitude is `max_abs`.
float ActivationScale(float max_abs);

// c[m, n] = activation(dequant(sum_k qa[i,k] * qw[k,j]) + bias) where qa quantizes a with
// `a_scale`; the sum is exact in int32 (|qa qw| <= 2^14, so k up to 2^17 cannot overflow).
void Int8Gemm(const float* a, int64_t m, float a_scale, const QuantizedMatrix& w, const float* bias,
              float (*activation)(float), float* c, const ParallelFor& parallel_for);

// A MatMul/FusedMatMul on quantized weights: returns false (having written nothing) when
// the node's form does not fit (then it runs in the float format).
StatusOr<bool> TryInt8Node(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                           const QuantizedMatrix& w, float a_scale,
                           const ParallelFor& parallel_for);

}  // namespace hetero::npu_sim
