// Lowerings of ONNX elementwise ops: arithmetic, comparisons, logic, activations, Cast.
#include "compiler/onnx/lowering.h"
#include "compiler/onnx/tensor_proto.h"

namespace hetero::onnx_import {

namespace {

// ONNX ops with a hetero op of the same name and meaning, taking every input as is.
Status LowerSameName(LoweringContext& ctx) {
  std::vector<ir::Value*> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.input(i));
  return ctx.EmitFinal(ctx.node().op_type(), std::move(inputs));
}

// a <= b as (a < b) or (a == b), and a >= b likewise: exact, NaN included.
Status LowerOrEqual(LoweringContext& ctx, std::string_view strict) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * a, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * b, ctx.RequiredInput(1));
  HETERO_ASSIGN_OR_RETURN(ir::Value * lt, ctx.EmitHelper(strict, strict, {a, b}));
  HETERO_ASSIGN_OR_RETURN(ir::Value * eq, ctx.EmitHelper("Equal", "Equal", {a, b}));
  return ctx.EmitFinal("Or", {lt, eq});
}

Status LowerLessOrEqual(LoweringContext& ctx) { return LowerOrEqual(ctx, "Less"); }
Status LowerGreaterOrEqual(LoweringContext& ctx) { return LowerOrEqual(ctx, "Greater"); }

Status LowerGelu(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  ops::Attributes attrs;
  attrs.Set("approximate", ctx.StringAttr("approximate", "none"));
  return ctx.EmitFinal("Gelu", {x}, std::move(attrs));
}

Status EmitCast(LoweringContext& ctx, ir::Value* x, DType to) {
  ops::Attributes attrs;
  attrs.Set("to", std::string(DTypeName(to)));
  // `saturate` (opset 19) only matters for f8 targets; hetero's default matches ONNX's.
  if (const auto* sat = ctx.attr("saturate")) attrs.Set("saturate", sat->i());
  return ctx.EmitFinal("Cast", {x}, std::move(attrs));
}

Status LowerCast(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  const auto* to = ctx.attr("to");
  if (to == nullptr) return ctx.Error("attribute 'to' is missing");
  HETERO_ASSIGN_OR_RETURN(DType dtype, DTypeFromOnnx(static_cast<int32_t>(to->i()),
                                                     ctx.Describe() + " attribute 'to'"));
  return EmitCast(ctx, x, dtype);
}

Status LowerCastLike(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * like, ctx.RequiredInput(1));
  return EmitCast(ctx, x, like->type().dtype);
}

}  // namespace

void AddElementwiseLowerings(LoweringTable& table) {
  for (const char* op : {"Add", "Sub",  "Mul",     "Div",  "Pow",        "Equal", "Less", "Greater",
                         "And", "Or",   "Not",     "Sqrt", "Reciprocal", "Neg",   "Exp",  "Log",
                         "Erf", "Tanh", "Sigmoid", "Relu", "Cos",        "Sin",   "Where"}) {
    table[op] = LowerSameName;
  }
  table["LessOrEqual"] = LowerLessOrEqual;
  table["GreaterOrEqual"] = LowerGreaterOrEqual;
  table["Gelu"] = LowerGelu;
  table["Cast"] = LowerCast;
  table["CastLike"] = LowerCastLike;
}

}  // namespace hetero::onnx_import
