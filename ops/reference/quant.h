// Reference kernels of the quantization family: Quantize, Dequantize and MatMulInteger.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// Which scale / zero point an element of a tensor uses: one for the whole tensor, or
// one per index along `axis` (element i uses (i / inner) % count).
struct ParamLayout {
  bool per_tensor = true;
  int64_t inner = 1;
  int64_t count = 1;
  int64_t Index(int64_t i) const { return per_tensor ? 0 : (i / inner) % count; }
};

// A parameter with one element is per tensor; a 1-D one of dims[axis] elements is per
// axis. Anything else is an error naming the op and the parameter.
StatusOr<ParamLayout> LayoutOf(std::string_view op, const std::vector<int64_t>& dims,
                               const Tensor& param, int64_t axis);

// x (f32/f16/bf16), scale, zero_point (optional); attrs axis. The output's dtype (i8,
// u8 or f8e4m3) is the target: integers get round-half-to-even(x / scale) + zero_point
// saturated to their range (NaN gives the zero point); f8e4m3 gets x / scale + zero
// point converted with saturation.
Status Quantize(const KernelContext& ctx);
// x (i8/u8/i32/f8e4m3), scale, zero_point (optional); attrs axis. (x - zp) * scale,
// stored in the output's float dtype.
Status Dequantize(const KernelContext& ctx);
// a, b (i8/u8), a_zero_point, b_zero_point (optional): (a - a_zp) · (b - b_zp) with
// exact integer accumulation, stored as i32 (wrapping). A zero point is per tensor
// (one element), per row of a / per column of b (1-D), or broadcast to its operand.
Status MatMulInteger(const KernelContext& ctx);

}  // namespace hetero::ops::reference
