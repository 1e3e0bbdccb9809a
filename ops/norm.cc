// Schemas of the norm op family: LayerNorm and RMSNorm over dims axis..rank-1.
#include "ops/reference/norm.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "ops/broadcast.h"
#include "ops/cost.h"
#include "ops/infer_helpers.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using TypeList = StatusOr<std::vector<TensorType>>;

constexpr std::string_view kNormInputs[] = {"x", "scale"};

// `t` must broadcast to the normalized dims x[axis:] without growing them: right-aligned,
// each of its dims 1 or compatible with x's (symbols and unknown dims may match).
Status CheckBroadcastsToNormalized(const TensorType& t, std::string_view name, const Shape& x,
                                   size_t axis) {
  const size_t normalized = x.rank() - axis;
  bool fits = t.shape.rank() <= normalized;
  for (size_t i = 0; fits && i < t.shape.rank(); ++i) {
    const Dim& d = t.shape[t.shape.rank() - 1 - i];
    fits = (d.is_static() && d.value() == 1) || DimsCompatible(d, x[x.rank() - 1 - i]);
  }
  if (fits) return OkStatus();
  const Shape normalized_shape(
      std::vector<Dim>(x.dims().begin() + static_cast<std::ptrdiff_t>(axis), x.dims().end()));
  return InvalidArgument("input '" + std::string(name) + "' " + t.ToString() +
                         " does not broadcast to the normalized dims " +
                         normalized_shape.ToString() + " of x " + x.ToString());
}

// Checks x and scale; returns the normalized axis.
StatusOr<size_t> CheckNormInputs(const InferContext& ctx, bool scale_same_dtype) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kNormInputs));
  const TensorType& x = ctx.input(0);
  const TensorType& scale = ctx.input(1);
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(x, "x", kFloatDTypes));
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(scale, "scale", kFloatDTypes));
  if (scale_same_dtype && scale.dtype != x.dtype) {
    return InvalidArgument("inputs 'x' (" + x.ToString() + ") and 'scale' (" + scale.ToString() +
                           ") must have the same dtype");
  }
  if (x.shape.rank() == 0) return InvalidArgument("input 'x' must have rank 1 or more");
  HETERO_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.attrs.GetInt("axis", -1),
                                                      static_cast<int64_t>(x.shape.rank())));
  const auto a = static_cast<size_t>(axis);
  HETERO_RETURN_IF_ERROR(CheckBroadcastsToNormalized(scale, "scale", x.shape, a));
  return a;
}

TypeList InferLayerNorm(const InferContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(size_t axis, CheckNormInputs(ctx, /*scale_same_dtype=*/true));
  const TensorType& x = ctx.input(0);
  if (ctx.has_input(2)) {
    const TensorType& bias = ctx.input(2);
    if (bias.dtype != x.dtype) {
      return InvalidArgument("inputs 'x' (" + x.ToString() + ") and 'bias' (" + bias.ToString() +
                             ") must have the same dtype");
    }
    HETERO_RETURN_IF_ERROR(CheckBroadcastsToNormalized(bias, "bias", x.shape, axis));
  }
  std::vector<TensorType> out = {x};
  std::vector<Dim> stat_dims(x.shape.dims().begin(),
                             x.shape.dims().begin() + static_cast<std::ptrdiff_t>(axis));
  stat_dims.resize(x.shape.rank(), Dim(1));
  for (size_t i = 1; i < ctx.num_outputs && i < 3; ++i) {
    out.push_back(TensorType{DType::kF32, Shape(stat_dims)});
  }
  return out;
}

TypeList InferRMSNorm(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckNormInputs(ctx, /*scale_same_dtype=*/false));
  return std::vector<TensorType>{{ctx.input(1).dtype, ctx.input(0).shape}};
}

// Per element: mean add, subtract, square and add, normalize multiply, scale, bias.
// Per row: a divide-class rsqrt.
OpCost LayerNormCost(const CostContext& ctx) {
  if (ctx.inputs.empty() || ctx.inputs[0] == nullptr) return OpCost{0, InputOutputBytes(ctx)};
  const TensorType& x = *ctx.inputs[0];
  const auto rank = static_cast<int64_t>(x.shape.rank());
  const StatusOr<int64_t> axis = NormalizeAxis(ctx.attrs.GetInt("axis", -1), rank);
  double rows = 1;
  for (int64_t i = 0; axis.ok() && i < *axis; ++i) {
    const Dim& d = x.shape[static_cast<size_t>(i)];
    rows *= d.is_static() ? static_cast<double>(d.value()) : 0.0;
  }
  return OpCost{7 * ElementCount(x) + kDivideFlops * rows, InputOutputBytes(ctx)};
}

// Per element: square and add, normalize multiply, scale.
OpCost RMSNormCost(const CostContext& ctx) {
  const double n = ctx.inputs.empty() || !ctx.inputs[0] ? 0 : ElementCount(*ctx.inputs[0]);
  return OpCost{4 * n, InputOutputBytes(ctx)};
}

AttrSpec AxisAttr() {
  return {"axis", AttrKind::kInt, false, "first normalized dim; default -1 (the last dim)"};
}

AttrSpec EpsilonAttr() {
  return {"epsilon", AttrKind::kFloat, false, "added to the variance; default 1e-5"};
}

}  // namespace

void RegisterNormOps(OpRegistry& registry) {
  OpSchema layer_norm;
  layer_norm.name = "LayerNorm";
  layer_norm.family = "norm";
  layer_norm.doc =
      "(x - mean) / sqrt(var + epsilon) * scale + bias, with mean and variance over dims "
      "axis..rank-1; scale and bias (optional) broadcast over those dims. Optional outputs "
      "Mean and InvStdDev (f32, x's dims before axis then 1s) as ONNX LayerNormalization.";
  layer_norm.min_inputs = 2;
  layer_norm.max_inputs = 3;
  layer_norm.max_outputs = 3;
  layer_norm.input_names = {"x", "scale", "bias"};
  layer_norm.attrs = {AxisAttr(), EpsilonAttr()};
  layer_norm.dtypes.assign(std::begin(kFloatDTypes), std::end(kFloatDTypes));
  layer_norm.infer = InferLayerNorm;
  layer_norm.cost = LayerNormCost;
  layer_norm.reference = reference::LayerNorm;
  registry.Add(std::move(layer_norm));

  OpSchema rms_norm;
  rms_norm.name = "RMSNorm";
  rms_norm.family = "norm";
  rms_norm.doc =
      "x / sqrt(mean(x^2) + epsilon) * scale, with the mean over dims axis..rank-1; scale "
      "broadcasts over those dims and may have another float dtype, which the output takes "
      "(ONNX RMSNormalization).";
  rms_norm.min_inputs = rms_norm.max_inputs = 2;
  rms_norm.input_names = {"x", "scale"};
  rms_norm.attrs = {AxisAttr(), EpsilonAttr()};
  rms_norm.dtypes.assign(std::begin(kFloatDTypes), std::end(kFloatDTypes));
  rms_norm.infer = InferRMSNorm;
  rms_norm.cost = RMSNormCost;
  rms_norm.reference = reference::RMSNorm;
  registry.Add(std::move(rms_norm));
}

}  // namespace hetero::ops
