// Lowerings of ONNX shape and data-movement ops: Reshape, Flatten, Squeeze, Split, ...
#include "compiler/onnx/lowering.h"
#include "compiler/onnx/tensor_proto.h"

namespace hetero::onnx_import {

namespace {

// Copies the named int attributes that the ONNX node sets.
void CopyIntAttrs(const LoweringContext& ctx, std::initializer_list<const char*> names,
                  ops::Attributes& attrs) {
  for (const char* name : names) {
    if (const auto* a = ctx.attr(name)) attrs.Set(name, a->i());
  }
}

// Ops whose inputs and int attributes carry over unchanged.
Status LowerPassThrough(LoweringContext& ctx) {
  ops::Attributes attrs;
  CopyIntAttrs(ctx, {"axis", "allowzero", "upper", "start", "end"}, attrs);
  std::vector<ir::Value*> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.input(i));
  return ctx.EmitFinal(ctx.node().op_type(), std::move(inputs), std::move(attrs));
}

Status LowerTranspose(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  ops::Attributes attrs;
  if (ctx.attr("perm") != nullptr) attrs.Set("perm", ctx.IntsAttr("perm"));
  return ctx.EmitFinal("Transpose", {x}, std::move(attrs));
}

// Squeeze and Unsqueeze take axes as an input since opset 13; hetero takes an attribute.
Status LowerSqueezeLike(LoweringContext& ctx) {
  const std::string& op = ctx.node().op_type();
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  HETERO_ASSIGN_OR_RETURN(std::optional<std::vector<int64_t>> axes, ctx.ConstantInts(1, "axes"));
  ops::Attributes attrs;
  if (axes) {
    attrs.Set("axes", *axes);
  } else if (op == "Unsqueeze") {
    return ctx.Error("input 'axes' is missing");
  }
  return ctx.EmitFinal(op, {x}, std::move(attrs));
}

Status LowerSplit(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  ops::Attributes attrs;
  CopyIntAttrs(ctx, {"axis", "num_outputs"}, attrs);
  if (ctx.num_outputs() == 0) return ctx.Error("has no outputs");
  return ctx.EmitFinal("Split", {x, ctx.input(1)}, std::move(attrs), ctx.num_outputs());
}

Status LowerConstantOfShape(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * shape, ctx.RequiredInput(0));
  ops::Attributes attrs;
  if (const auto* value = ctx.attr("value")) {
    HETERO_ASSIGN_OR_RETURN(Tensor t,
                            TensorFromProto(value->t(), ctx.Describe() + " attribute 'value'",
                                            TensorSources{nullptr, ctx.external()}));
    if (t.num_elements() != 1) {
      return ctx.Error("attribute 'value' must hold one element, it holds " +
                       std::to_string(t.num_elements()));
    }
    const double v = t.GetDouble(0);
    constexpr int64_t kExactInDouble = int64_t{1} << 53;
    if (IsInteger(t.dtype()) &&
        (t.GetInt64(0) > kExactInDouble || t.GetInt64(0) < -kExactInDouble)) {
      return ctx.Unsupported("value " + std::to_string(t.GetInt64(0)) +
                             " is not exactly representable as a float attribute");
    }
    attrs.Set("value", v);
    attrs.Set("dtype", std::string(DTypeName(t.dtype())));
  }
  return ctx.EmitFinal("ConstantOfShape", {shape}, std::move(attrs));
}

// The constant shape of Flatten's output, when the input's dims allow one: [left, right]
// with -1 standing for the one side whose size is known only at run time.
Status LowerFlatten(LoweringContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(ir::Value * x, ctx.RequiredInput(0));
  const Shape& shape = x->type().shape;
  const auto rank = static_cast<int64_t>(shape.rank());
  int64_t axis = ctx.IntAttr("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) {
    return ctx.Error("axis " + std::to_string(ctx.IntAttr("axis", 1)) + " is out of range for " +
                     shape.ToString());
  }
  auto product = [&](int64_t begin, int64_t end) -> std::optional<int64_t> {
    int64_t p = 1;
    for (int64_t i = begin; i < end; ++i) {
      const Dim& d = shape[static_cast<size_t>(i)];
      if (!d.is_static()) return std::nullopt;
      p *= d.value();
    }
    return p;
  };
  const std::optional<int64_t> left = product(0, axis);
  const std::optional<int64_t> right = product(axis, rank);
  std::vector<int64_t> target;
  int64_t allowzero = 0;
  if (left && right) {
    target = {*left, *right};
    allowzero = 1;  // a 0 here is a real size, not "copy the input dim"
  } else if (left) {
    target = {*left, -1};
  } else if (right) {
    target = {-1, *right};
  } else if (axis == 1) {
    target = {0, -1};  // 0 copies the input's first dim
  } else {
    return ctx.Unsupported("input " + shape.ToString() + " has dims known only at run time on " +
                           "both sides of axis " + std::to_string(axis));
  }
  HETERO_ASSIGN_OR_RETURN(ir::Value * shape_value,
                          ctx.HelperConstant("shape", Tensor::FromInt64({2}, target)));
  ops::Attributes attrs;
  attrs.Set("allowzero", allowzero);
  return ctx.EmitFinal("Reshape", {x, shape_value}, std::move(attrs));
}

}  // namespace

void AddMovementLowerings(LoweringTable& table) {
  for (const char* op :
       {"Gather", "Shape", "Size", "Concat", "Reshape", "Slice", "Expand", "Trilu", "Range"}) {
    table[op] = LowerPassThrough;
  }
  table["Transpose"] = LowerTranspose;
  table["Squeeze"] = LowerSqueezeLike;
  table["Unsqueeze"] = LowerSqueezeLike;
  table["Split"] = LowerSplit;
  table["ConstantOfShape"] = LowerConstantOfShape;
  table["Flatten"] = LowerFlatten;
}

}  // namespace hetero::onnx_import
