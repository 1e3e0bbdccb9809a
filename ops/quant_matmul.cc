// The schema of QuantMatMul: an f32 activation times int8 weights with per-column scales,
// the activation quantized to u8 per row (or with a static scale), plus bias and activation.
#include "ops/reference/quant_matmul.h"

#include <algorithm>
#include <string>

#include "ops/cost.h"
#include "ops/reference/matmul.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using Types = std::vector<TensorType>;

bool OneValue(const Shape& s) {
  return s.rank() == 0 || (s.rank() == 1 && s[0].is_static() && s[0].value() == 1);
}

Status CheckVector(const TensorType& t, const char* what, const Dim& n) {
  const bool fits =
      t.dtype == DType::kF32 && (t.shape.rank() == 1 && DimsCompatible(t.shape[0], n));
  if (!fits) {
    return InvalidArgument(std::string("QuantMatMul: ") + what + " is " + t.ToString() +
                           ", expected f32[" + n.ToString() + "]");
  }
  return OkStatus();
}

StatusOr<Types> InferQuantMatMul(const InferContext& ctx) {
  if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2)) {
    return InvalidArgument("QuantMatMul needs inputs a, b and b_scale");
  }
  const TensorType& a = ctx.input(0);
  const TensorType& b = ctx.input(1);
  if (a.dtype != DType::kF32 || a.shape.rank() < 1) {
    return InvalidArgument("QuantMatMul: a is " + a.ToString() + ", expected f32 of rank >= 1");
  }
  if (b.dtype != DType::kI8 || b.shape.rank() != 2) {
    return InvalidArgument("QuantMatMul: b is " + b.ToString() + ", expected i8 of rank 2");
  }
  const bool transpose_b = ctx.attrs.GetInt("transpose_b", 0) != 0;
  const Dim& k = a.shape[a.shape.rank() - 1];
  const Dim& bk = transpose_b ? b.shape[1] : b.shape[0];
  const Dim& n = transpose_b ? b.shape[0] : b.shape[1];
  if (!DimsCompatible(k, bk)) {
    return InvalidArgument("QuantMatMul: inner dims " + k.ToString() + " and " + bk.ToString() +
                           " differ");
  }
  if (k.is_static() && k.value() > reference::kMaxQuantMatMulInner) {
    return InvalidArgument("QuantMatMul: inner dim " + k.ToString() + " is over " +
                           std::to_string(reference::kMaxQuantMatMulInner));
  }
  const TensorType& b_scale = ctx.input(2);
  if (!(b_scale.dtype == DType::kF32 && OneValue(b_scale.shape))) {
    HETERO_RETURN_IF_ERROR(CheckVector(b_scale, "b_scale", n));
  }
  if (ctx.has_input(3)) HETERO_RETURN_IF_ERROR(CheckVector(ctx.input(3), "bias", n));
  if (ctx.has_input(4)) {
    const TensorType& s = ctx.input(4);
    if (s.dtype != DType::kF32 || !OneValue(s.shape)) {
      return InvalidArgument("QuantMatMul: a_scale is " + s.ToString() + ", expected one f32");
    }
  }
  if (ctx.has_input(5)) {
    const TensorType& z = ctx.input(5);
    if (!ctx.has_input(4) || (z.dtype != DType::kU8 && z.dtype != DType::kI8) ||
        !OneValue(z.shape)) {
      return InvalidArgument("QuantMatMul: a_zero_point is " + z.ToString() +
                             ", expected one u8 or i8 value next to an a_scale");
    }
  }
  HETERO_RETURN_IF_ERROR(reference::ActivationByName(ctx.attrs.GetString("activation", "none"))
                             .status()
                             .WithContext("QuantMatMul"));
  std::vector<Dim> dims = a.shape.dims();
  dims.back() = n;
  return Types{{DType::kF32, Shape(std::move(dims))}};
}

// 2·M·N·K multiply-adds in int8 plus quantizing a (about 6 per element) and the epilogue
// (2 per output, plus the bias and activation).
OpCost QuantMatMulCost(const CostContext& ctx) {
  if (ctx.inputs.empty() || ctx.inputs[0] == nullptr || ctx.outputs.empty()) return {};
  const Shape& a = ctx.inputs[0]->shape;
  const Dim& k = a[a.rank() - 1];
  const double inner = k.is_static() ? static_cast<double>(k.value()) : 0;
  const double outputs = ElementCount(ctx.outputs[0]);
  const bool has_bias = ctx.inputs.size() > 3 && ctx.inputs[3] != nullptr;
  const std::string act = ctx.attrs.GetString("activation", "none");
  double act_flops = 0;
  if (act == "relu") act_flops = 1;
  if (act == "gelu") act_flops = kTranscendentalFlops + 4;  // as FusedMatMul counts them
  if (act == "gelu_tanh") act_flops = kTranscendentalFlops + 8;
  if (act == "silu") act_flops = kTranscendentalFlops + kDivideFlops + 2;
  const double flops = 2 * outputs * inner + 6 * ElementCount(*ctx.inputs[0]) +
                       outputs * (2 + (has_bias ? 1 : 0) + act_flops);
  return OpCost{flops, InputOutputBytes(ctx)};
}

}  // namespace

void RegisterQuantMatMulOp(OpRegistry& registry) {
  registry.Add(OpSchema{
      .name = "QuantMatMul",
      .family = "quant",
      .doc = "activation(dequant(quant_u8(a) · b) + bias) with int8 weights: each row of a "
             "(all leading dims) is quantized to u8 with round-half-to-even and clamping, "
             "by a_scale / a_zero_point when given, else per row with DynamicQuantizeLinear's "
             "rule on that row; (q - zero_point) · b is summed exactly in int32 over K "
             "(at most 65536), converted to f32 and multiplied by (row scale · b_scale[j]) "
             "(b_scale per column or one value), then the bias is added and the activation "
             "applied in f32.",
      .min_inputs = 3,
      .max_inputs = 6,
      .input_names = {"a", "b", "b_scale", "bias", "a_scale", "a_zero_point"},
      .attrs = {{"transpose_b", AttrKind::kInt, false, "1: b is [N, K]; default 0 ([K, N])"},
                {"activation", AttrKind::kString, false,
                 "none, relu, gelu (erf), gelu_tanh or silu; default none"}},
      .dtypes = {DType::kF32},
      .infer = InferQuantMatMul,
      .cost = QuantMatMulCost,
      .reference = reference::QuantMatMul,
  });
}

}  // namespace hetero::ops
