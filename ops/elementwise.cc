// Schemas of the elementwise op family: arithmetic, comparisons, logic, math functions,
// Where and Cast, with numpy broadcasting over symbolic dims.
#include "ops/reference/elementwise.h"

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

constexpr std::string_view kBinaryNames[] = {"a", "b"};
constexpr std::string_view kUnaryNames[] = {"x"};
constexpr std::string_view kWhereNames[] = {"cond", "a", "b"};

Status CheckSameDType(const TensorType& a, const TensorType& b) {
  if (a.dtype == b.dtype) return OkStatus();
  return InvalidArgument("inputs 'a' (" + a.ToString() + ") and 'b' (" + b.ToString() +
                         ") must have the same dtype");
}

// Two inputs of one accepted dtype, broadcast; the output is bool or that dtype.
TypeList InferBinary(const InferContext& ctx, std::span<const DType> accepted, bool bool_output) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kBinaryNames));
  const TensorType& a = ctx.input(0);
  const TensorType& b = ctx.input(1);
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(a, "a", accepted));
  HETERO_RETURN_IF_ERROR(CheckSameDType(a, b));
  HETERO_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a.shape, b.shape));
  return std::vector<TensorType>{{bool_output ? DType::kBool : a.dtype, std::move(shape)}};
}

// Base and exponent may differ in dtype; the output has the base's dtype.
TypeList InferPow(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kBinaryNames));
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(ctx.input(0), "a", kNumericDTypes));
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(ctx.input(1), "b", kNumericDTypes));
  HETERO_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(ctx.input(0).shape, ctx.input(1).shape));
  return std::vector<TensorType>{{ctx.input(0).dtype, std::move(shape)}};
}

TypeList InferUnary(const InferContext& ctx, std::span<const DType> accepted) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kUnaryNames));
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(ctx.input(0), "x", accepted));
  return std::vector<TensorType>{ctx.input(0)};
}

TypeList InferGelu(const InferContext& ctx) {
  const std::string approximate = ctx.attrs.GetString("approximate", "none");
  if (approximate != "none" && approximate != "tanh") {
    return InvalidArgument("Gelu approximate must be \"none\" or \"tanh\", got \"" + approximate +
                           "\"");
  }
  return InferUnary(ctx, kFloatDTypes);
}

TypeList InferWhere(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kWhereNames));
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(ctx.input(0), "cond", kBoolDType));
  HETERO_RETURN_IF_ERROR(CheckSameDType(ctx.input(1), ctx.input(2)));
  HETERO_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(ctx.input(0).shape, ctx.input(1).shape));
  HETERO_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, ctx.input(2).shape));
  return std::vector<TensorType>{{ctx.input(1).dtype, std::move(shape)}};
}

TypeList InferCast(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kUnaryNames));
  const std::string to_name = ctx.attrs.GetString("to", "");
  const std::optional<DType> to = ParseDType(to_name);
  if (!to) {
    return InvalidArgument("Cast attribute to=\"" + to_name +
                           "\" is not a dtype; expected one of " + DTypeListString(kAllDTypes));
  }
  return std::vector<TensorType>{{*to, ctx.input(0).shape}};
}

template <double kFlops>
OpCost CostPerElement(const CostContext& ctx) {
  return ElementwiseCost(ctx, kFlops);
}

// erf + 4 multiply/adds, or tanh + 8 multiply/adds for the tanh form.
OpCost GeluCost(const CostContext& ctx) {
  const bool tanh_form = ctx.attrs.GetString("approximate", "none") == "tanh";
  return ElementwiseCost(ctx, kTranscendentalFlops + (tanh_form ? 8 : 4));
}

constexpr double kSigmoidFlops = kTranscendentalFlops + 1 + kDivideFlops;

struct OpInfo {
  const char* name;
  const char* doc;
  std::span<const std::string_view> inputs;
  std::span<const DType> dtypes;
  InferFn infer;
  CostFn cost;
  KernelFn reference;
};

void AddOp(OpRegistry& registry, const OpInfo& info, std::vector<AttrSpec> attrs = {}) {
  OpSchema s;
  s.name = info.name;
  s.family = "elementwise";
  s.doc = info.doc;
  s.min_inputs = s.max_inputs = static_cast<int>(info.inputs.size());
  s.input_names.assign(info.inputs.begin(), info.inputs.end());
  s.attrs = std::move(attrs);
  s.dtypes.assign(info.dtypes.begin(), info.dtypes.end());
  s.infer = info.infer;
  s.cost = info.cost;
  s.reference = info.reference;
  registry.Add(std::move(s));
}

void RegisterBinaryOps(OpRegistry& r) {
  constexpr auto kNames = std::span<const std::string_view>(kBinaryNames);
  auto arith = [](const InferContext& c) { return InferBinary(c, kNumericDTypes, false); };
  auto compare = [](const InferContext& c) { return InferBinary(c, kNumericDTypes, true); };
  auto logic = [](const InferContext& c) { return InferBinary(c, kBoolDType, true); };
  AddOp(r, {"Add", "a + b, broadcast.", kNames, kNumericDTypes, arith, CostPerElement<1.0>,
            reference::Add});
  AddOp(r, {"Sub", "a - b, broadcast.", kNames, kNumericDTypes, arith, CostPerElement<1.0>,
            reference::Sub});
  AddOp(r, {"Mul", "a * b, broadcast.", kNames, kNumericDTypes, arith, CostPerElement<1.0>,
            reference::Mul});
  AddOp(r, {"Div",
            "a / b, broadcast. Integer division truncates toward zero; an integer division "
            "by zero is an error.",
            kNames, kNumericDTypes, arith, CostPerElement<kDivideFlops>, reference::Div});
  AddOp(r, {"Pow",
            "a raised to b, broadcast; b's dtype may differ from a's and the output has a's. "
            "Integer a and b: exact integer power (a negative exponent truncates 1/a^n "
            "toward zero; 0 to a negative power is an error).",
            kNames, kNumericDTypes, InferPow, CostPerElement<kPowFlops>, reference::Pow});
  AddOp(r, {"Equal", "a == b, broadcast; bool output.", kNames, kAllDTypes,
            [](const InferContext& c) { return InferBinary(c, kAllDTypes, true); },
            CostPerElement<1.0>, reference::Equal});
  AddOp(r, {"Less", "a < b, broadcast; bool output.", kNames, kNumericDTypes, compare,
            CostPerElement<1.0>, reference::Less});
  AddOp(r, {"Greater", "a > b, broadcast; bool output.", kNames, kNumericDTypes, compare,
            CostPerElement<1.0>, reference::Greater});
  AddOp(r, {"And", "Logical a and b, broadcast.", kNames, kBoolDType, logic, CostPerElement<1.0>,
            reference::And});
  AddOp(r, {"Or", "Logical a or b, broadcast.", kNames, kBoolDType, logic, CostPerElement<1.0>,
            reference::Or});
  AddOp(r, {"Where", "cond ? a : b, broadcast of all three; cond is bool.",
            std::span<const std::string_view>(kWhereNames), kAllDTypes, InferWhere,
            CostPerElement<1.0>, reference::Where});
}

void RegisterUnaryOps(OpRegistry& r) {
  constexpr auto kNames = std::span<const std::string_view>(kUnaryNames);
  auto floats = [](const InferContext& c) { return InferUnary(c, kFloatDTypes); };
  auto signed_types = [](const InferContext& c) { return InferUnary(c, kSignedDTypes); };
  constexpr double kT = kTranscendentalFlops;
  AddOp(r, {"Not", "Logical not.", kNames, kBoolDType,
            [](const InferContext& c) { return InferUnary(c, kBoolDType); }, CostPerElement<1.0>,
            reference::Not});
  AddOp(r, {"Neg", "-x (integers wrap).", kNames, kSignedDTypes, signed_types, CostPerElement<1.0>,
            reference::Neg});
  AddOp(r, {"Relu", "max(x, 0); NaN stays NaN.", kNames, kSignedDTypes, signed_types,
            CostPerElement<1.0>, reference::Relu});
  AddOp(r, {"Exp", "e^x.", kNames, kFloatDTypes, floats, CostPerElement<kT>, reference::Exp});
  AddOp(r, {"Log", "Natural logarithm.", kNames, kFloatDTypes, floats, CostPerElement<kT>,
            reference::Log});
  AddOp(r, {"Sqrt", "Square root.", kNames, kFloatDTypes, floats, CostPerElement<kDivideFlops>,
            reference::Sqrt});
  AddOp(r, {"Rsqrt", "1 / sqrt(x).", kNames, kFloatDTypes, floats, CostPerElement<kDivideFlops>,
            reference::Rsqrt});
  AddOp(r, {"Reciprocal", "1 / x.", kNames, kFloatDTypes, floats, CostPerElement<kDivideFlops>,
            reference::Reciprocal});
  AddOp(r, {"Erf", "The error function.", kNames, kFloatDTypes, floats, CostPerElement<kT>,
            reference::Erf});
  AddOp(r, {"Tanh", "Hyperbolic tangent.", kNames, kFloatDTypes, floats, CostPerElement<kT>,
            reference::Tanh});
  AddOp(r, {"Sigmoid", "1 / (1 + e^-x).", kNames, kFloatDTypes, floats,
            CostPerElement<kSigmoidFlops>, reference::Sigmoid});
  AddOp(r, {"Silu", "x * sigmoid(x).", kNames, kFloatDTypes, floats,
            CostPerElement<kSigmoidFlops + 1>, reference::Silu});
  AddOp(r, {"Cos", "Cosine.", kNames, kFloatDTypes, floats, CostPerElement<kT>, reference::Cos});
  AddOp(r, {"Sin", "Sine.", kNames, kFloatDTypes, floats, CostPerElement<kT>, reference::Sin});
}

// The one-input ops with attributes.
void RegisterGeluAndCast(OpRegistry& r) {
  constexpr auto kNames = std::span<const std::string_view>(kUnaryNames);
  AddOp(r,
        {"Gelu",
         "approximate \"none\": 0.5x(1 + erf(x/sqrt(2))); \"tanh\": "
         "0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))).",
         kNames, kFloatDTypes, InferGelu, GeluCost, reference::Gelu},
        {{"approximate", AttrKind::kString, false, "\"none\" (erf, default) or \"tanh\""}});
  AddOp(
      r,
      {"Cast",
       "Converts to the dtype named by `to`. Float to integer truncates toward zero (NaN "
       "gives 0); to bool is x != 0; to a narrower float rounds to nearest even.",
       kNames, kAllDTypes, InferCast, CostPerElement<1.0>, reference::Cast},
      {{"to", AttrKind::kString, true, "target dtype name: f32 f16 bf16 f8e4m3 i64 i32 i8 u8 bool"},
       {"saturate", AttrKind::kInt, false,
        "1 (default): out-of-range values and infinities clamp to +-448 in f8e4m3; 0: NaN"}});
}

}  // namespace

void RegisterElementwiseOps(OpRegistry& registry) {
  RegisterBinaryOps(registry);
  RegisterUnaryOps(registry);
  RegisterGeluAndCast(registry);
}

}  // namespace hetero::ops
