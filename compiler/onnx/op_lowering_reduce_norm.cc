// Lowerings of ONNX reductions, Softmax, LogSoftmax and LayerNormalization.
#include "compiler/onnx/lowering.h"

namespace hetero::onnx_import {

namespace {

// The opset from which each reduction takes its axes as an input instead of an attribute.
int AxesInputSince(std::string_view op) { return op == "ReduceSum" ? 13 : 18; }

Status LowerReduce(LoweringContext& ctx) {
  const std::string& op = ctx.node().op_type();
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  std::vector<int64_t> axes;
  if (ctx.opset() >= AxesInputSince(op)) {
    HETERO_ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> given, ctx.ConstantInts(1, "axes"));
    if (given) axes = *given;
  } else {
    axes = ctx.IntsAttr("axes");
  }
  // noop_with_empty_axes: with no axes the op is the identity instead of a full reduction.
  if (axes.empty() && ctx.IntAttr("noop_with_empty_axes", 0) != 0) return ctx.Alias(0, x);
  ops::Attributes attrs;
  attrs.Set("axes", axes);
  attrs.Set("keepdims", ctx.IntAttr("keepdims", 1));
  return ctx.EmitFinal(op, {x}, std::move(attrs));
}

// Opset 13 semantics: one axis (default -1), as hetero's ops define them.
Status LowerSoftmax(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  ops::Attributes attrs;
  attrs.Set("axis", ctx.IntAttr("axis", -1));
  return ctx.EmitFinal(ctx.node().op_type(), {x}, std::move(attrs));
}

// Y, and the Mean and InvStdDev outputs (f32) when something reads them.
Status LowerLayerNormalization(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * scale, ctx.RequiredInput(1));
  if (ctx.IntAttr("stash_type", 1) != 1) {
    return ctx.Unsupported("stash_type " + std::to_string(ctx.IntAttr("stash_type", 1)) +
                           " (only 1, statistics in f32, is supported)");
  }
  size_t num_outputs = 1;
  for (size_t i = 1; i < 3; ++i) {
    if (ctx.output_used(i)) num_outputs = i + 1;
  }
  ops::Attributes attrs;
  attrs.Set("axis", ctx.IntAttr("axis", -1));
  attrs.Set("epsilon", static_cast<double>(ctx.FloatAttr("epsilon", 1e-5f)));
  return ctx.EmitFinal("LayerNorm", {x, scale, ctx.input(2)}, std::move(attrs), num_outputs);
}

}  // namespace

void AddReduceNormLowerings(LoweringTable& table) {
  table["ReduceSum"] = LowerReduce;
  table["ReduceMean"] = LowerReduce;
  table["ReduceMax"] = LowerReduce;
  table["Softmax"] = LowerSoftmax;
  table["LogSoftmax"] = LowerSoftmax;
  table["LayerNormalization"] = LowerLayerNormalization;
}

}  // namespace hetero::onnx_import
