// QuantMatMul's arithmetic: how a row of activations becomes u8, and the reference kernel
// that defines the op exactly (devices share these helpers to match it bit for bit).
#pragma once

#include <cstdint>

#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// The largest inner dim: |(q - zero_point) * w| <= 255 * 128, so 65536 of them fit int32.
inline constexpr int64_t kMaxQuantMatMulInner = 65536;

// How one row of activations was quantized: q = clamp(round_half_even(x / scale) +
// zero_point, 0, 255), so that x ~ (q - zero_point) * scale.
struct RowQuantization {
  float scale = 1;
  int32_t zero_point = 0;
};

// Dynamic per-row parameters, as ONNX DynamicQuantizeLinear computes them for a tensor
// but over one row: lo = min(0, min x), hi = max(0, max x), scale = (hi - lo) / 255
// (1 when that is 0), zero_point = clamp(round_half_even(-lo / scale), 0, 255).
// A row holding NaN or infinities gets a non-finite scale (its outputs are not finite).
RowQuantization DynamicRowQuantization(const float* x, int64_t k);
// The same from the row's min(0, min x) and max(0, max x) and whether every element is
// finite (vector kernels find those their own way, then share this).
RowQuantization QuantizationFromRange(float lo, float hi, bool finite);

// Writes q[0..k) for one row with the given parameters (NaN quantizes to the zero point).
void QuantizeRowU8(const float* x, int64_t k, RowQuantization params, uint8_t* q);

// The u8 zero point of a static activation quantization: a u8 zero point as it is, an
// i8 one shifted by 128 (the same (q - zero_point) differences, the same clamping).
int32_t StaticZeroPointU8(const Tensor* zero_point);

// inputs a (f32 [..., K]), b (i8 [K, N], or [N, K] with transpose_b), b_scale (f32 [N] or
// one value), bias (f32 [N], optional), a_scale (f32, one value, optional), a_zero_point
// (u8 or i8, one value, optional); attrs transpose_b, activation. See the schema's doc.
Status QuantMatMul(const KernelContext& ctx);

}  // namespace hetero::ops::reference
