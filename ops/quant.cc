// Schemas of the quantization op family: Quantize, Dequantize and MatMulInteger.
#include "ops/reference/quant.h"

#include <algorithm>
#include <iterator>

#include "ops/cost.h"
#include "ops/reference/matmul.h"
#include "ops/schema.h"

namespace hetero::ops {

namespace {

using Types = std::vector<TensorType>;

bool OneOf(DType d, std::initializer_list<DType> allowed) {
  return std::find(allowed.begin(), allowed.end(), d) != allowed.end();
}

Status NeedInputs(const InferContext& ctx, std::string_view op, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!ctx.has_input(i)) {
      return InvalidArgument(std::string(op) + " needs input " + std::to_string(i));
    }
  }
  return OkStatus();
}

// Scale and zero point: float scale of one element or 1-D along `axis`; a zero point
// of `zp_dtype` with the scale's shape.
Status CheckParams(const InferContext& ctx, std::string_view op, DType zp_dtype) {
  const TensorType& x = ctx.input(0);
  const TensorType& scale = ctx.input(1);
  if (!OneOf(scale.dtype, {DType::kF32, DType::kF16, DType::kBF16}) || scale.shape.rank() > 1) {
    return InvalidArgument(std::string(op) + ": scale is " + scale.ToString() +
                           ", expected an f32, f16 or bf16 scalar or 1-D tensor");
  }
  const bool per_axis = scale.shape.rank() == 1 && !(scale.shape[0] == Dim(1));
  if (per_axis) {
    const int64_t axis = ctx.attrs.GetInt("axis", 1);
    const auto rank = static_cast<int64_t>(x.shape.rank());
    if (axis < -rank || axis >= rank) {
      return InvalidArgument(std::string(op) + ": axis " + std::to_string(axis) +
                             " is out of range for x " + x.ToString());
    }
    const Dim& d = x.shape[axis < 0 ? axis + rank : axis];
    if (d.is_static() && scale.shape[0].is_static() && d.value() != scale.shape[0].value()) {
      return InvalidArgument(std::string(op) + ": scale " + scale.ToString() + " does not give " +
                             "one value per index of axis " + std::to_string(axis) + " of x " +
                             x.ToString());
    }
  }
  if (ctx.has_input(2)) {
    const TensorType& zp = ctx.input(2);
    auto one_value = [](const Shape& s) {
      return s.rank() == 0 || (s.rank() == 1 && s[0] == Dim(1));
    };
    const bool same_shape = (one_value(zp.shape) && one_value(scale.shape)) ||
                            (zp.shape.rank() == 1 && scale.shape.rank() == 1 &&
                             DimsCompatible(zp.shape[0], scale.shape[0]));
    if (zp.dtype != zp_dtype || !same_shape) {
      return InvalidArgument(std::string(op) + ": zero point is " + zp.ToString() +
                             ", expected dtype " + std::string(DTypeName(zp_dtype)) +
                             " and the scale's shape " + scale.shape.ToString());
    }
  }
  return OkStatus();
}

StatusOr<Types> InferQuantize(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Quantize", 2));
  const TensorType& x = ctx.input(0);
  if (!OneOf(x.dtype, {DType::kF32, DType::kF16, DType::kBF16})) {
    return InvalidArgument("Quantize: x is " + x.ToString() + ", expected f32, f16 or bf16");
  }
  DType to = DType::kI8;
  if (ctx.attrs.Has("to")) {
    const std::string name = ctx.attrs.GetString("to", "i8");
    const std::optional<DType> parsed = ParseDType(name);
    if (!parsed || !OneOf(*parsed, {DType::kI8, DType::kU8, DType::kF8E4M3})) {
      return InvalidArgument("Quantize: to '" + name + "' is not i8, u8 or f8e4m3");
    }
    to = *parsed;
    if (ctx.has_input(2) && ctx.input(2).dtype != to) {
      return InvalidArgument("Quantize: to is " + name + " but the zero point is " +
                             ctx.input(2).ToString());
    }
  } else if (ctx.has_input(2)) {
    to = ctx.input(2).dtype;
    if (!OneOf(to, {DType::kI8, DType::kU8, DType::kF8E4M3})) {
      return InvalidArgument("Quantize: zero point is " + ctx.input(2).ToString() +
                             ", expected i8, u8 or f8e4m3");
    }
  }
  HETERO_RETURN_IF_ERROR(CheckParams(ctx, "Quantize", to));
  return Types{{to, x.shape}};
}

StatusOr<Types> InferDequantize(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Dequantize", 2));
  const TensorType& x = ctx.input(0);
  if (!OneOf(x.dtype, {DType::kI8, DType::kU8, DType::kI32, DType::kF8E4M3})) {
    return InvalidArgument("Dequantize: x is " + x.ToString() + ", expected i8, u8, i32 or f8e4m3");
  }
  HETERO_RETURN_IF_ERROR(CheckParams(ctx, "Dequantize", x.dtype));
  return Types{{ctx.input(1).dtype, x.shape}};
}

StatusOr<Types> InferMatMulInteger(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "MatMulInteger", 2));
  const char* names[] = {"a", "b", "a_zero_point", "b_zero_point"};
  for (size_t i = 0; i < 4; ++i) {
    if (!ctx.has_input(i)) continue;
    const TensorType& t = ctx.input(i);
    if (!OneOf(t.dtype, {DType::kI8, DType::kU8}) ||
        (i >= 2 && t.dtype != ctx.input(i - 2).dtype)) {
      return InvalidArgument("MatMulInteger: " + std::string(names[i]) + " is " + t.ToString() +
                             ", expected i8 or u8" + (i >= 2 ? " like its operand" : ""));
    }
  }
  auto shape = reference::MatMulShape(ctx.input(0).shape, ctx.input(1).shape, false, false);
  if (!shape.ok()) return shape.status().WithContext("MatMulInteger");
  return Types{{DType::kI32, *shape}};
}

OpCost QuantizeCost(const CostContext& ctx) { return ElementwiseCost(ctx, kDivideFlops + 3); }
OpCost DequantizeCost(const CostContext& ctx) { return ElementwiseCost(ctx, 2); }

// 2·M·N·K·batch integer operations.
OpCost MatMulIntegerCost(const CostContext& ctx) {
  if (ctx.inputs.empty() || ctx.inputs[0] == nullptr || ctx.outputs.empty()) return {};
  const Shape& a = ctx.inputs[0]->shape;
  const Dim& k = a.rank() > 0 ? a[a.rank() - 1] : Dim(0);
  const double inner = k.is_static() ? static_cast<double>(k.value()) : 0;
  return OpCost{2 * ElementCount(ctx.outputs[0]) * inner, InputOutputBytes(ctx)};
}

}  // namespace

void RegisterQuantOps(OpRegistry& registry) {
  const AttrSpec axis{"axis", AttrKind::kInt, false, "the axis a 1-D scale runs along; default 1"};
  registry.Add(OpSchema{
      .name = "Quantize",
      .family = "quant",
      .doc = "Per tensor (one scale) or per axis (1-D scale): integers get "
             "round-half-to-even(x / scale) + zero_point saturated to the type's range; "
             "f8e4m3 gets x / scale + zero_point converted with saturation to +-448.",
      .min_inputs = 2,
      .max_inputs = 3,
      .input_names = {"x", "scale", "zero_point"},
      .attrs = {axis,
                {"to", AttrKind::kString, false,
                 "i8, u8 or f8e4m3; default the zero point's dtype, else i8"}},
      .dtypes = {DType::kF32, DType::kF16, DType::kBF16},
      .infer = InferQuantize,
      .cost = QuantizeCost,
      .reference = reference::Quantize,
  });
  registry.Add(OpSchema{
      .name = "Dequantize",
      .family = "quant",
      .doc = "(x - zero_point) · scale, per tensor or per axis; the output has the scale's "
             "dtype (f32 usually).",
      .min_inputs = 2,
      .max_inputs = 3,
      .input_names = {"x", "scale", "zero_point"},
      .attrs = {axis},
      .dtypes = {DType::kI8, DType::kU8, DType::kI32, DType::kF8E4M3},
      .infer = InferDequantize,
      .cost = DequantizeCost,
      .reference = reference::Dequantize,
  });
  registry.Add(OpSchema{
      .name = "MatMulInteger",
      .family = "quant",
      .doc = "numpy matmul of (a - a_zero_point) and (b - b_zero_point) accumulated exactly, "
             "output i32. A zero point is one value, one per row of a / column of b (1-D), "
             "or a tensor that broadcasts to its operand.",
      .min_inputs = 2,
      .max_inputs = 4,
      .input_names = {"a", "b", "a_zero_point", "b_zero_point"},
      .attrs = {},
      .dtypes = {DType::kI8, DType::kU8},
      .infer = InferMatMulInteger,
      .cost = MatMulIntegerCost,
      .reference = reference::MatMulInteger,
  });
  RegisterQuantMatMulOp(registry);
}

}  // namespace hetero::ops
