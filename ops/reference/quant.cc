// Reference kernels of Quantize, Dequantize and MatMulInteger.
#include "ops/reference/quant.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ops/broadcast.h"
#include "ops/reference/matmul.h"

namespace hetero::ops::reference {

namespace {

// A zero point as a value per element of `x`: none, per tensor, along `axis` (1-D of
// x.dim(axis) elements) or broadcast to x. Returns x - zero_point.
StatusOr<std::vector<int64_t>> SubtractZeroPoint(std::string_view what, const Tensor& x,
                                                 const Tensor* zp, int64_t axis) {
  std::vector<int64_t> out = ToI64(x);
  if (zp == nullptr) return out;
  if (zp->dtype() != x.dtype()) {
    return InvalidArgument("MatMulInteger: " + std::string(what) + " zero point is " +
                           zp->type().ToString() + ", but the operand is " + x.type().ToString());
  }
  const std::vector<int64_t> z = ToI64(*zp);
  if (zp->num_elements() == 1 || (zp->rank() == 1 && axis >= 0 && zp->dim(0) == x.dim(axis))) {
    HETERO_ASSIGN_OR_RETURN(ParamLayout layout, LayoutOf("MatMulInteger", x.dims(), *zp, axis));
    for (int64_t i = 0; i < x.num_elements(); ++i) out[i] -= z[layout.Index(i)];
    return out;
  }
  auto dims = BroadcastDims(zp->dims(), x.dims());
  if (!dims.ok() || *dims != x.dims()) {
    return InvalidArgument("MatMulInteger: " + std::string(what) + " zero point " +
                           zp->type().ToString() + " does not fit the operand " +
                           x.type().ToString());
  }
  for (BroadcastIter it(x.dims(), {BroadcastStrides(zp->dims(), x.dims())}); !it.done();
       it.Next()) {
    out[it.linear()] -= z[it.offset(0)];
  }
  return out;
}

// A zero point pairs with the scale: one value each, or 1-D of the same length.
bool SameCount(const Tensor& zp, const Tensor& scale) {
  return zp.rank() <= 1 && zp.num_elements() == scale.num_elements();
}

// Saturating round-half-to-even into [lo, hi]; NaN gives the zero point.
int64_t QuantizeToInt(float x, float scale, int64_t zero_point, int64_t lo, int64_t hi) {
  const float q = x / scale;
  if (std::isnan(q)) return std::clamp(zero_point, lo, hi);
  const double v = static_cast<double>(std::nearbyint(q)) + static_cast<double>(zero_point);
  return static_cast<int64_t>(std::clamp(v, static_cast<double>(lo), static_cast<double>(hi)));
}

}  // namespace

StatusOr<ParamLayout> LayoutOf(std::string_view op, const std::vector<int64_t>& dims,
                               const Tensor& param, int64_t axis) {
  ParamLayout layout;
  if (param.num_elements() == 1) return layout;
  const auto rank = static_cast<int64_t>(dims.size());
  if (param.rank() != 1 || axis < -rank || axis >= rank ||
      param.dim(0) != dims[axis < 0 ? axis + rank : axis]) {
    return InvalidArgument(std::string(op) + ": parameter " + param.type().ToString() +
                           " is neither one value nor one per index of axis " +
                           std::to_string(axis) + " of " + Shape::FromStatic(dims).ToString());
  }
  if (axis < 0) axis += rank;
  layout.per_tensor = false;
  layout.count = dims[axis];
  for (int64_t d = axis + 1; d < rank; ++d) layout.inner *= dims[d];
  return layout;
}

Status Quantize(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const Tensor& scale = *ctx.inputs[1];
  const Tensor* zp = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOutputDims("Quantize", out, x.dims()));
  const int64_t axis = ctx.attrs.GetInt("axis", 1);
  HETERO_ASSIGN_OR_RETURN(ParamLayout layout, LayoutOf("Quantize", x.dims(), scale, axis));
  if (zp != nullptr && (!SameCount(*zp, scale) || zp->dtype() != out.dtype())) {
    return InvalidArgument("Quantize: zero point " + zp->type().ToString() +
                           " must pair with the scale " + scale.type().ToString() +
                           " and the output dtype " + std::string(DTypeName(out.dtype())));
  }
  const std::vector<float> xs = ToF32(x), scales = ToF32(scale);
  const DType to = out.dtype();
  if (to == DType::kF8E4M3) {
    const std::vector<float> zf = zp ? ToF32(*zp) : std::vector<float>(scales.size(), 0.0f);
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      const int64_t p = layout.Index(i);
      out.mutable_data<uint8_t>()[i] = FloatToF8E4M3(xs[i] / scales[p] + zf[p], true);
    }
    return OkStatus();
  }
  if (to != DType::kI8 && to != DType::kU8) {
    return InvalidArgument("Quantize: cannot quantize to " + std::string(DTypeName(to)));
  }
  const int64_t lo = to == DType::kI8 ? -128 : 0;
  const int64_t hi = to == DType::kI8 ? 127 : 255;
  const std::vector<int64_t> zi = zp ? ToI64(*zp) : std::vector<int64_t>(scales.size(), 0);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t p = layout.Index(i);
    out.SetInt64(i, QuantizeToInt(xs[i], scales[p], zi[p], lo, hi));
  }
  return OkStatus();
}

Status Dequantize(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const Tensor& scale = *ctx.inputs[1];
  const Tensor* zp = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOutputDims("Dequantize", out, x.dims()));
  HETERO_ASSIGN_OR_RETURN(ParamLayout layout,
                          LayoutOf("Dequantize", x.dims(), scale, ctx.attrs.GetInt("axis", 1)));
  if (zp != nullptr && (!SameCount(*zp, scale) || zp->dtype() != x.dtype())) {
    return InvalidArgument("Dequantize: zero point " + zp->type().ToString() +
                           " must pair with the scale " + scale.type().ToString() +
                           " and x's dtype " + std::string(DTypeName(x.dtype())));
  }
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t p = layout.Index(i);
    double shifted;
    if (x.dtype() == DType::kF8E4M3) {
      shifted = x.GetDouble(i) - (zp ? zp->GetDouble(p) : 0.0);
    } else {  // exact in int64, then one conversion
      shifted = static_cast<double>(x.GetInt64(i) - (zp ? zp->GetInt64(p) : 0));
    }
    out.SetDouble(i, shifted * scale.GetDouble(p));
  }
  return OkStatus();
}

Status MatMulInteger(const KernelContext& ctx) {
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  const Tensor* a_zp = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  const Tensor* b_zp = ctx.inputs.size() > 3 ? ctx.inputs[3] : nullptr;
  Tensor& out = *ctx.outputs[0];
  HETERO_ASSIGN_OR_RETURN(MatMulPlan plan, PlanMatMul(a.dims(), b.dims(), false, false));
  HETERO_RETURN_IF_ERROR(CheckOutputDims("MatMulInteger", out, plan.out_dims));
  if (out.dtype() != DType::kI32) return InvalidArgument("MatMulInteger: output must be i32");
  // Per-row zero points of a index its second-to-last dim, per-column ones of b its last.
  const int64_t a_axis = a.rank() >= 2 ? static_cast<int64_t>(a.rank()) - 2 : -1;
  HETERO_ASSIGN_OR_RETURN(std::vector<int64_t> sa, SubtractZeroPoint("a", a, a_zp, a_axis));
  const int64_t b_axis = b.rank() >= 2 ? static_cast<int64_t>(b.rank()) - 1 : -1;
  HETERO_ASSIGN_OR_RETURN(std::vector<int64_t> sb, SubtractZeroPoint("b", b, b_zp, b_axis));
  std::vector<int64_t> result(static_cast<size_t>(out.num_elements()));
  MatMulI64(plan, sa.data(), sb.data(), result.data());
  for (int64_t i = 0; i < out.num_elements(); ++i) out.SetInt64(i, result[i]);
  return OkStatus();
}

}  // namespace hetero::ops::reference
