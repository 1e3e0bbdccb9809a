// Lowerings of MatMul, Gemm, Constant, Identity and Dropout.
#include "compiler/onnx/lowering.h"
#include "compiler/onnx/tensor_proto.h"

namespace hetero::onnx_import {

namespace {

using ::onnx::AttributeProto;

Status LowerMatMul(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * a, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * b, ctx.RequiredInput(1));
  return ctx.EmitFinal("MatMul", {a, b});
}

// Gemm → MatMul(transpose flags) [· alpha] [+ beta · C]; the last step carries the names.
Status LowerGemm(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * a, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(ir::Value * b, ctx.RequiredInput(1));
  ir::Value* c = ctx.input(2);
  const double alpha = ctx.FloatAttr("alpha", 1.0f);
  const double beta = ctx.FloatAttr("beta", 1.0f);
  const bool scale = alpha != 1.0;
  const bool add = c != nullptr && beta != 0.0;
  const DType dtype = a->type().dtype;
  ops::Attributes mm;
  mm.Set("transpose_a", ctx.IntAttr("transA", 0) != 0 ? int64_t{1} : int64_t{0});
  mm.Set("transpose_b", ctx.IntAttr("transB", 0) != 0 ? int64_t{1} : int64_t{0});
  if (!scale && !add) return ctx.EmitFinal("MatMul", {a, b}, std::move(mm));
  HETERO_ASSIGN_OR_RETURN(ir::Value * y, ctx.EmitHelper("MatMul", "MatMul", {a, b}, std::move(mm)));
  if (scale) {
    HETERO_ASSIGN_OR_RETURN(ir::Value * k, ctx.ScalarConstant("alpha", dtype, alpha));
    if (!add) return ctx.EmitFinal("Mul", {y, k});
    HETERO_ASSIGN_OR_RETURN(y, ctx.EmitHelper("Mul", "alpha_mul", {y, k}));
  }
  if (beta != 1.0) {
    HETERO_ASSIGN_OR_RETURN(ir::Value * k, ctx.ScalarConstant("beta", c->type().dtype, beta));
    HETERO_ASSIGN_OR_RETURN(c, ctx.EmitHelper("Mul", "beta_mul", {c, k}));
  }
  return ctx.EmitFinal("Add", {y, c});
}

StatusOr<Tensor> ConstantValue(const LoweringContext& ctx, const AttributeProto& a) {
  const std::string what = ctx.Describe() + " attribute '" + a.name() + "'";
  if (a.name() == "value") {
    return TensorFromProto(a.t(), what, TensorSources{nullptr, ctx.external()});
  }
  if (a.name() == "value_float") return Tensor::FromFloat({}, {a.f()});
  if (a.name() == "value_int") return Tensor::FromInt64({}, {a.i()});
  if (a.name() == "value_floats") {
    const std::vector<float> v(a.floats().begin(), a.floats().end());
    return Tensor::FromFloat({static_cast<int64_t>(v.size())}, v);
  }
  if (a.name() == "value_ints") {
    const std::vector<int64_t> v(a.ints().begin(), a.ints().end());
    return Tensor::FromInt64({static_cast<int64_t>(v.size())}, v);
  }
  return ctx.Unsupported("attribute '" + a.name() + "' (only value, value_float(s) and " +
                         "value_int(s) are supported)");
}

Status LowerConstant(LoweringContext& ctx) {
  if (ctx.node().attribute_size() != 1) {
    return ctx.Error("needs exactly one value attribute, has " +
                     std::to_string(ctx.node().attribute_size()));
  }
  HETERO_ASSIGN_OR_RETURN(Tensor t, ConstantValue(ctx, ctx.node().attribute(0)));
  return ctx.BindConstant(0, std::move(t));
}

Status LowerIdentity(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  return ctx.Alias(0, x);
}

// Inference only: output = input. The mask, if read, is all true (nothing dropped).
Status LowerDropout(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  if (ctx.has_input(2)) {
    const Tensor* training = ctx.constant_input(2);
    if (training == nullptr) {
      return ctx.Unsupported("training_mode must be a constant false (inference only)");
    }
    if (training->num_elements() != 1 || training->GetInt64(0) != 0) {
      return ctx.Unsupported("training_mode is true; hetero runs inference only");
    }
  }
  HETERO_RETURN_IF_ERROR(ctx.Alias(0, x));
  if (!ctx.output_used(1)) return OkStatus();
  HETERO_ASSIGN_OR_RETURN(ir::Value * shape, ctx.EmitHelper("Shape", "mask_shape", {x}));
  ops::Attributes attrs;
  attrs.Set("value", 1.0);
  attrs.Set("dtype", std::string("bool"));
  return ctx.EmitFinal("ConstantOfShape", {shape}, std::move(attrs), 1, /*first_output=*/1);
}

}  // namespace

void AddMiscLowerings(LoweringTable& table) {
  table["MatMul"] = LowerMatMul;
  table["Gemm"] = LowerGemm;
  table["Constant"] = LowerConstant;
  table["Identity"] = LowerIdentity;
  table["Dropout"] = LowerDropout;
}

}  // namespace hetero::onnx_import
