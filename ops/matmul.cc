// Schemas of the matmul op family: MatMul and FusedMatMul (MatMul + bias + activation).
#include "ops/reference/matmul.h"

#include <algorithm>

#include "ops/broadcast.h"
#include "ops/cost.h"
#include "ops/infer_helpers.h"
#include "ops/schema.h"

namespace hetero::ops {

namespace {

constexpr DType kMatMulTypes[] = {DType::kF32,    DType::kF16, DType::kBF16,
                                  DType::kF8E4M3, DType::kI64, DType::kI32};

// Type checks and the output type shared by MatMul and FusedMatMul.
StatusOr<TensorType> InferMatMulType(const InferContext& ctx, std::string_view op,
                                     std::span<const DType> allowed) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) {
    return InvalidArgument(std::string(op) + " needs inputs a and b");
  }
  const TensorType& a = ctx.input(0);
  const TensorType& b = ctx.input(1);
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(a, "a", allowed).WithContext(op));
  if (b.dtype != a.dtype) {
    return InvalidArgument(std::string(op) + ": a is " + a.ToString() + " but b is " +
                           b.ToString() + "; the dtypes must match");
  }
  auto shape = reference::MatMulShape(a.shape, b.shape, ctx.attrs.GetInt("transpose_a", 0) != 0,
                                      ctx.attrs.GetInt("transpose_b", 0) != 0);
  if (!shape.ok()) return shape.status().WithContext(op);
  return TensorType{a.dtype, *shape};
}

StatusOr<std::vector<TensorType>> InferMatMul(const InferContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(TensorType out, InferMatMulType(ctx, "MatMul", kMatMulTypes));
  return std::vector<TensorType>{out};
}

StatusOr<std::vector<TensorType>> InferFusedMatMul(const InferContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(TensorType out, InferMatMulType(ctx, "FusedMatMul", kFloatDTypes));
  HETERO_RETURN_IF_ERROR(reference::ActivationByName(ctx.attrs.GetString("activation", "none"))
                             .status()
                             .WithContext("FusedMatMul"));
  if (ctx.has_input(2)) {
    const TensorType& bias = ctx.input(2);
    if (bias.dtype != out.dtype) {
      return InvalidArgument("FusedMatMul: bias is " + bias.ToString() + ", expected dtype " +
                             std::string(DTypeName(out.dtype)));
    }
    auto joined = BroadcastShapes(out.shape, bias.shape);
    bool fits = joined.ok() && joined->rank() == out.shape.rank();
    for (size_t i = 0; fits && i < out.shape.rank(); ++i) {
      fits = !(*joined)[i].is_static() || !out.shape[i].is_static() ||
             (*joined)[i].value() == out.shape[i].value();
    }
    if (!fits) {
      return InvalidArgument("FusedMatMul: bias " + bias.shape.ToString() +
                             " does not broadcast to the output " + out.shape.ToString());
    }
  }
  return std::vector<TensorType>{out};
}

// The length of the contracted dim of a (1-D a: its only dim).
double InnerDim(const TensorType& a, const Attributes& attrs) {
  const auto& dims = a.shape.dims();
  if (dims.empty()) return 0;
  size_t axis = dims.size() - 1;
  if (dims.size() >= 2 && attrs.GetInt("transpose_a", 0) != 0) axis = dims.size() - 2;
  return dims[axis].is_static() ? static_cast<double>(dims[axis].value()) : 0;
}

// 2·M·N·K·batch: every output element is K multiply-adds.
OpCost MatMulCost(const CostContext& ctx) {
  if (ctx.inputs.empty() || ctx.inputs[0] == nullptr || ctx.outputs.empty()) return {};
  const double outputs = ElementCount(ctx.outputs[0]);
  return OpCost{2 * outputs * InnerDim(*ctx.inputs[0], ctx.attrs), InputOutputBytes(ctx)};
}

// As docs/opset.md counts them (the same as the elementwise Relu, Gelu and Silu).
double ActivationFlops(const std::string& name) {
  if (name == "relu") return 1;
  if (name == "gelu") return kTranscendentalFlops + 4;
  if (name == "gelu_tanh") return kTranscendentalFlops + 8;
  if (name == "silu") return kTranscendentalFlops + kDivideFlops + 2;
  return 0;
}

OpCost FusedMatMulCost(const CostContext& ctx) {
  OpCost cost = MatMulCost(ctx);
  if (ctx.outputs.empty()) return cost;
  const double outputs = ElementCount(ctx.outputs[0]);
  const bool has_bias = ctx.inputs.size() > 2 && ctx.inputs[2] != nullptr;
  cost.flops +=
      outputs * ((has_bias ? 1 : 0) + ActivationFlops(ctx.attrs.GetString("activation", "none")));
  return cost;
}

std::vector<AttrSpec> TransposeAttrs() {
  return {{"transpose_a", AttrKind::kInt, false,
           "1: swap the last two dims of a (rank >= 2) first; default 0"},
          {"transpose_b", AttrKind::kInt, false,
           "1: swap the last two dims of b (rank >= 2) first; default 0"}};
}

}  // namespace

void RegisterMatMulOps(OpRegistry& registry) {
  registry.Add(OpSchema{
      .name = "MatMul",
      .family = "matmul",
      .doc = "numpy matmul: batched over leading dims that broadcast; a 1-D a is a row "
             "vector and a 1-D b a column vector, the added dim dropped from the result. "
             "Floats accumulate in f32 and round once on store; integers accumulate exactly "
             "in int64 and wrap on store.",
      .min_inputs = 2,
      .max_inputs = 2,
      .input_names = {"a", "b"},
      .attrs = TransposeAttrs(),
      .dtypes = {std::begin(kMatMulTypes), std::end(kMatMulTypes)},
      .infer = InferMatMul,
      .cost = MatMulCost,
      .reference = reference::MatMul,
  });
  std::vector<AttrSpec> fused_attrs = TransposeAttrs();
  fused_attrs.push_back({"activation", AttrKind::kString, false,
                         "none, relu, gelu (erf), gelu_tanh or silu; default none"});
  registry.Add(OpSchema{
      .name = "FusedMatMul",
      .family = "matmul",
      .doc = "activation(MatMul(a, b) + bias): the bias broadcasts to the output; the sum "
             "and the activation are computed in f32 before the single rounding on store.",
      .min_inputs = 2,
      .max_inputs = 3,
      .input_names = {"a", "b", "bias"},
      .attrs = std::move(fused_attrs),
      .dtypes = {std::begin(kFloatDTypes), std::end(kFloatDTypes)},
      .infer = InferFusedMatMul,
      .cost = FusedMatMulCost,
      .reference = reference::FusedMatMul,
  });
}

}  // namespace hetero::ops
