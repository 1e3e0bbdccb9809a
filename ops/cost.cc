// Cost helpers shared by op schemas.
#include "ops/cost.h"

namespace hetero::ops {

double ElementCount(const TensorType& type) {
  double n = 1;
  for (const Dim& d : type.shape.dims()) {
    if (!d.is_static()) return 0;
    n *= static_cast<double>(d.value());
  }
  return n;
}

double TensorBytes(const TensorType& type) {
  return ElementCount(type) * static_cast<double>(DTypeSize(type.dtype));
}

double InputOutputBytes(const CostContext& ctx) {
  double bytes = 0;
  for (const TensorType* in : ctx.inputs) {
    if (in != nullptr) bytes += TensorBytes(*in);
  }
  for (const TensorType& out : ctx.outputs) bytes += TensorBytes(out);
  return bytes;
}

OpCost ElementwiseCost(const CostContext& ctx, double flops_per_element) {
  const double elements = ctx.outputs.empty() ? 0 : ElementCount(ctx.outputs[0]);
  return OpCost{flops_per_element * elements, InputOutputBytes(ctx)};
}

}  // namespace hetero::ops
