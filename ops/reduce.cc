// Schemas of the reduce op family: ReduceSum, ReduceMean, ReduceMax over axes, and
// Softmax / LogSoftmax over one axis.
#include "ops/reference/reduce.h"

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

constexpr std::string_view kInputNames[] = {"x"};
constexpr DType kMaxDTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kF8E4M3, DType::kI64,
                                DType::kI32, DType::kI8,  DType::kU8,   DType::kBool};

// Reduced dims become 1 (keepdims) or disappear; the others, symbols included, stay.
TypeList InferReduce(const InferContext& ctx, std::span<const DType> accepted) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kInputNames));
  const TensorType& x = ctx.input(0);
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(x, "x", accepted));
  const std::vector<int64_t> axes = ctx.attrs.GetInts("axes");
  HETERO_ASSIGN_OR_RETURN(std::vector<bool> mask, reference::ReductionMask(axes, x.shape.rank()));
  const bool keepdims = ctx.attrs.GetInt("keepdims", 1) != 0;
  std::vector<Dim> dims;
  for (size_t i = 0; i < x.shape.rank(); ++i) {
    if (!mask[i]) {
      dims.push_back(x.shape[i]);
    } else if (keepdims) {
      dims.emplace_back(1);
    }
  }
  return std::vector<TensorType>{{x.dtype, Shape(std::move(dims))}};
}

TypeList InferSoftmax(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckInputsPresent(ctx, kInputNames));
  const TensorType& x = ctx.input(0);
  HETERO_RETURN_IF_ERROR(CheckDTypeIn(x, "x", kFloatDTypes));
  if (x.shape.rank() == 0) return InvalidArgument("input 'x' must have rank 1 or more");
  HETERO_RETURN_IF_ERROR(
      NormalizeAxis(ctx.attrs.GetInt("axis", -1), static_cast<int64_t>(x.shape.rank())));
  return std::vector<TensorType>{x};
}

// One add (or compare) per input element; the mean adds one divide per output.
OpCost ReduceCost(const CostContext& ctx) {
  const double in = ctx.inputs.empty() || !ctx.inputs[0] ? 0 : ElementCount(*ctx.inputs[0]);
  return OpCost{in, InputOutputBytes(ctx)};
}

OpCost ReduceMeanCost(const CostContext& ctx) {
  OpCost cost = ReduceCost(ctx);
  if (!ctx.outputs.empty()) cost.flops += kDivideFlops * ElementCount(ctx.outputs[0]);
  return cost;
}

// Per element: max, subtract, exp, add, and a divide (Softmax) or a subtract (LogSoftmax).
OpCost SoftmaxCost(const CostContext& ctx) {
  return ElementwiseCost(ctx, 3 + kTranscendentalFlops + kDivideFlops);
}
OpCost LogSoftmaxCost(const CostContext& ctx) {
  return ElementwiseCost(ctx, 4 + kTranscendentalFlops);
}

std::vector<AttrSpec> ReduceAttrs() {
  return {{"axes", AttrKind::kInts, false,
           "dims to reduce, negative counts from the end; empty (default) reduces all"},
          {"keepdims", AttrKind::kInt, false, "1 (default) keeps reduced dims as 1; 0 drops them"}};
}

void AddOp(OpRegistry& registry, std::string name, std::string doc, std::span<const DType> dtypes,
           InferFn infer, CostFn cost, KernelFn reference, std::vector<AttrSpec> attrs) {
  OpSchema s;
  s.name = std::move(name);
  s.family = "reduce";
  s.doc = std::move(doc);
  s.input_names = {"x"};
  s.attrs = std::move(attrs);
  s.dtypes.assign(dtypes.begin(), dtypes.end());
  s.infer = infer;
  s.cost = cost;
  s.reference = reference;
  registry.Add(std::move(s));
}

}  // namespace

void RegisterReduceOps(OpRegistry& registry) {
  AddOp(
      registry, "ReduceSum",
      "Sum over `axes`. Floats accumulate in double; integers wrap like the dtype.", kNumericDTypes,
      [](const InferContext& c) { return InferReduce(c, kNumericDTypes); }, ReduceCost,
      reference::ReduceSum, ReduceAttrs());
  AddOp(
      registry, "ReduceMean",
      "Mean over `axes`. Integer means truncate toward zero; an integer mean over an empty "
      "set is an error, a float one is NaN.",
      kNumericDTypes, [](const InferContext& c) { return InferReduce(c, kNumericDTypes); },
      ReduceMeanCost, reference::ReduceMean, ReduceAttrs());
  AddOp(
      registry, "ReduceMax",
      "Maximum over `axes`; NaN wins. An empty set gives -inf (floats) or the dtype's "
      "lowest value; on bool it is a logical or.",
      kMaxDTypes, [](const InferContext& c) { return InferReduce(c, kMaxDTypes); }, ReduceCost,
      reference::ReduceMax, ReduceAttrs());
  const std::vector<AttrSpec> axis_attr = {
      {"axis", AttrKind::kInt, false, "the dim to normalize over; default -1"}};
  AddOp(registry, "Softmax", "exp(x - max) / sum(exp(x - max)) over `axis`, numerically stable.",
        kFloatDTypes, InferSoftmax, SoftmaxCost, reference::Softmax, axis_attr);
  AddOp(registry, "LogSoftmax",
        "(x - max) - log(sum(exp(x - max))) over `axis`, numerically stable.", kFloatDTypes,
        InferSoftmax, LogSoftmaxCost, reference::LogSoftmax, axis_attr);
}

}  // namespace hetero::ops
