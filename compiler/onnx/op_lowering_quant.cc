// Lowerings of the QDQ ops: QuantizeLinear, DequantizeLinear and MatMulInteger.
#include "compiler/onnx/lowering.h"
#include "compiler/onnx/tensor_proto.h"

namespace hetero::onnx_import {

namespace {

// Blocked quantization (opset 21 block_size) has no hetero op yet.
Status CheckNotBlocked(LoweringContext& ctx) {
  if (ctx.IntAttr("block_size", 0) != 0)
    return ctx.Unsupported("block_size (blocked quantization)");
  return OkStatus();
}

Status LowerQuantizeLinear(LoweringContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckNotBlocked(ctx));
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * scale, ctx.RequiredInput(1));
  ir::Value* zero_point = ctx.input(2);
  ops::Attributes attrs;
  attrs.Set("axis", ctx.IntAttr("axis", 1));
  // ONNX's output type: output_dtype (opset 21), else the zero point's, else uint8.
  DType to = DType::kU8;
  if (const int64_t onnx_type = ctx.IntAttr("output_dtype", 0); onnx_type != 0) {
    HETERO_ASSIGN_OR_RETURN(to, DTypeFromOnnx(static_cast<int32_t>(onnx_type), ctx.Describe()));
  } else if (zero_point != nullptr) {
    to = zero_point->type().dtype;
  }
  if (to == DType::kF8E4M3 && ctx.IntAttr("saturate", 1) == 0) {
    return ctx.Unsupported("saturate=0 (hetero's Quantize always saturates)");
  }
  attrs.Set("to", std::string(DTypeName(to)));
  return ctx.EmitFinal("Quantize", {x, scale, zero_point}, std::move(attrs));
}

Status LowerDequantizeLinear(LoweringContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckNotBlocked(ctx));
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * scale, ctx.RequiredInput(1));
  ops::Attributes attrs;
  attrs.Set("axis", ctx.IntAttr("axis", 1));
  return ctx.EmitFinal("Dequantize", {x, scale, ctx.input(2)}, std::move(attrs));
}

Status LowerMatMulInteger(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * a, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * b, ctx.RequiredInput(1));
  return ctx.EmitFinal("MatMulInteger", {a, b, ctx.input(2), ctx.input(3)});
}

}  // namespace

void AddQuantLowerings(LoweringTable& table) {
  table["QuantizeLinear"] = LowerQuantizeLinear;
  table["DequantizeLinear"] = LowerDequantizeLinear;
  table["MatMulInteger"] = LowerMatMulInteger;
}

}  // namespace hetero::onnx_import
