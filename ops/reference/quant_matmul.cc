// The reference kernel of QuantMatMul and the activation quantization it defines.
#include "ops/reference/quant_matmul.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/reference/matmul.h"

namespace hetero::ops::reference {

RowQuantization DynamicRowQuantization(const float* x, int64_t k) {
  float lo = 0.0f, hi = 0.0f;
  bool finite = true;
  for (int64_t i = 0; i < k; ++i) {
    finite = finite && std::isfinite(x[i]);
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  return QuantizationFromRange(lo, hi, finite);
}

RowQuantization QuantizationFromRange(float lo, float hi, bool finite) {
  RowQuantization p;
  if (!finite) {
    p.scale = std::numeric_limits<float>::quiet_NaN();
    return p;
  }
  p.scale = (hi - lo) / 255.0f;
  if (p.scale == 0.0f) p.scale = 1.0f;
  const float zp = std::nearbyint(-lo / p.scale);
  p.zero_point = static_cast<int32_t>(std::clamp(zp, 0.0f, 255.0f));
  return p;
}

void QuantizeRowU8(const float* x, int64_t k, RowQuantization params, uint8_t* q) {
  for (int64_t i = 0; i < k; ++i) {
    const float v = std::nearbyint(x[i] / params.scale);
    if (std::isnan(v)) {
      q[i] = static_cast<uint8_t>(params.zero_point);
      continue;
    }
    const float shifted = std::clamp(v + static_cast<float>(params.zero_point), 0.0f, 255.0f);
    q[i] = static_cast<uint8_t>(shifted);
  }
}

int32_t StaticZeroPointU8(const Tensor* zero_point) {
  if (zero_point == nullptr) return 0;
  const auto z = static_cast<int32_t>(zero_point->GetInt64(0));
  return zero_point->dtype() == DType::kI8 ? z + 128 : z;
}

namespace {

struct Operands {
  const Tensor* a;
  const Tensor* b;
  const Tensor* b_scale;
  const Tensor* bias;
  const Tensor* a_scale;
  const Tensor* a_zero_point;
  bool transpose_b;
  int64_t k, n, rows;
};

const Tensor* InputOrNull(const KernelContext& ctx, size_t i) {
  return i < ctx.inputs.size() ? ctx.inputs[i] : nullptr;
}

StatusOr<Operands> CheckOperands(const KernelContext& ctx) {
  Operands o{ctx.inputs[0],
             ctx.inputs[1],
             ctx.inputs[2],
             InputOrNull(ctx, 3),
             InputOrNull(ctx, 4),
             InputOrNull(ctx, 5),
             ctx.attrs.GetInt("transpose_b", 0) != 0,
             0,
             0,
             0};
  if (o.a->dtype() != DType::kF32 || o.a->rank() < 1 || o.b->dtype() != DType::kI8 ||
      o.b->rank() != 2 || o.b_scale->dtype() != DType::kF32) {
    return InvalidArgument("QuantMatMul: expected f32 a, i8 rank-2 b and f32 b_scale, got " +
                           o.a->type().ToString() + ", " + o.b->type().ToString() + ", " +
                           o.b_scale->type().ToString());
  }
  o.k = o.a->dims().back();
  o.n = o.transpose_b ? o.b->dim(0) : o.b->dim(1);
  if ((o.transpose_b ? o.b->dim(1) : o.b->dim(0)) != o.k) {
    return InvalidArgument("QuantMatMul: a " + o.a->type().ToString() + " and b " +
                           o.b->type().ToString() + " have different inner dims");
  }
  if (o.b_scale->num_elements() != 1 && o.b_scale->num_elements() != o.n) {
    return InvalidArgument("QuantMatMul: b_scale has " + std::to_string(o.b_scale->num_elements()) +
                           " values for " + std::to_string(o.n) + " columns");
  }
  if (o.bias != nullptr && (o.bias->dtype() != DType::kF32 || o.bias->num_elements() != o.n)) {
    return InvalidArgument("QuantMatMul: bias " + o.bias->type().ToString() + " is not f32[" +
                           std::to_string(o.n) + "]");
  }
  if (o.k > kMaxQuantMatMulInner) {
    return InvalidArgument("QuantMatMul: inner dim " + std::to_string(o.k) + " is over " +
                           std::to_string(kMaxQuantMatMulInner) +
                           " (the int32 accumulator could overflow)");
  }
  o.rows = o.k > 0 ? o.a->num_elements() / o.k : 0;
  if (o.k == 0) {
    o.rows = 1;
    for (size_t d = 0; d + 1 < o.a->rank(); ++d) o.rows *= o.a->dim(d);
  }
  return o;
}

}  // namespace

Status QuantMatMul(const KernelContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(Operands o, CheckOperands(ctx));
  Tensor& out = *ctx.outputs[0];
  std::vector<int64_t> out_dims = o.a->dims();
  out_dims.back() = o.n;
  HETERO_RETURN_IF_ERROR(CheckOutputDims("QuantMatMul", out, out_dims));
  HETERO_ASSIGN_OR_RETURN(float (*activation)(float),
                          ActivationByName(ctx.attrs.GetString("activation", "none")));
  const float* a = o.a->data<float>();
  const int8_t* b = o.b->data<int8_t>();
  const float* b_scale = o.b_scale->data<float>();
  const bool per_column = o.b_scale->num_elements() == o.n && o.n > 1;
  float* y = out.mutable_data<float>();
  std::vector<uint8_t> q(static_cast<size_t>(o.k));
  for (int64_t r = 0; r < o.rows; ++r) {
    const float* x = a + r * o.k;
    RowQuantization p;
    if (o.a_scale != nullptr) {
      p.scale = o.a_scale->data<float>()[0];
      p.zero_point = StaticZeroPointU8(o.a_zero_point);
    } else {
      p = DynamicRowQuantization(x, o.k);
    }
    QuantizeRowU8(x, o.k, p, q.data());
    for (int64_t j = 0; j < o.n; ++j) {
      int32_t acc = 0;
      for (int64_t i = 0; i < o.k; ++i) {
        const int32_t w = o.transpose_b ? b[j * o.k + i] : b[i * o.n + j];
        acc += (static_cast<int32_t>(q[i]) - p.zero_point) * w;
      }
      float v = static_cast<float>(acc) * (p.scale * b_scale[per_column ? j : 0]);
      if (o.bias != nullptr) v += o.bias->data<float>()[j];
      y[r * o.n + j] = activation(v);
    }
  }
  return OkStatus();
}

}  // namespace hetero::ops::reference
