// Reference kernels of the norm family: LayerNorm and RMSNorm over dims axis..rank-1,
// statistics in double, with a plain f32 loop for f32 tensors.
#include "ops/reference/norm.h"

#include <cmath>
#include <string>
#include <vector>

#include "ops/broadcast.h"

namespace hetero::ops::reference {
namespace {

// The rows a norm works on: `outer` rows of `inner` contiguous elements, and the scale
// and bias expanded to one value per element of a row.
struct NormPlan {
  int64_t outer = 1;
  int64_t inner = 1;
  std::vector<int64_t> stat_dims;  // x's dims before axis, then 1s
  std::vector<double> scale;
  std::vector<double> bias;  // empty when there is no bias
};

// Reads `t` broadcast to `dims` (right-aligned, each of its dims 1 or equal) as doubles.
StatusOr<std::vector<double>> ExpandTo(const Tensor& t, const std::vector<int64_t>& dims,
                                       std::string_view name) {
  bool fits = t.rank() <= dims.size();
  for (size_t i = 0; fits && i < t.rank(); ++i) {
    const int64_t d = t.dim(t.rank() - 1 - i);
    fits = d == 1 || d == dims[dims.size() - 1 - i];
  }
  if (!fits) {
    return InvalidArgument("input '" + std::string(name) + "' " + t.type().ToString() +
                           " does not broadcast to the normalized dims " +
                           Shape::FromStatic(dims).ToString());
  }
  std::vector<double> out;
  for (BroadcastIter it(dims, {BroadcastStrides(t.dims(), dims)}); !it.done(); it.Next()) {
    out.push_back(t.GetDouble(it.offset(0)));
  }
  return out;
}

StatusOr<NormPlan> PlanNorm(const KernelContext& ctx, size_t max_inputs) {
  if (ctx.inputs.size() < 2 || ctx.inputs.size() > max_inputs || ctx.inputs[0] == nullptr ||
      ctx.inputs[1] == nullptr || ctx.outputs.empty() || ctx.outputs[0] == nullptr) {
    return InvalidArgument("expected inputs x and scale and output y");
  }
  const Tensor& x = *ctx.inputs[0];
  const Tensor& y = *ctx.outputs[0];
  if (!IsFloat(x.dtype()) || y.dims() != x.dims() || !IsFloat(y.dtype())) {
    return InvalidArgument("input is " + x.type().ToString() + " and output " +
                           y.type().ToString() + "; expected floats of the same dims");
  }
  const auto rank = static_cast<int64_t>(x.rank());
  HETERO_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.attrs.GetInt("axis", -1), rank));
  NormPlan plan;
  std::vector<int64_t> inner_dims;
  for (int64_t i = 0; i < rank; ++i) {
    (i < axis ? plan.outer : plan.inner) *= x.dim(i);
    plan.stat_dims.push_back(i < axis ? x.dim(i) : 1);
    if (i >= axis) inner_dims.push_back(x.dim(i));
  }
  HETERO_ASSIGN_OR_RETURN(plan.scale, ExpandTo(*ctx.inputs[1], inner_dims, "scale"));
  if (ctx.inputs.size() > 2 && ctx.inputs[2] != nullptr) {
    HETERO_ASSIGN_OR_RETURN(plan.bias, ExpandTo(*ctx.inputs[2], inner_dims, "bias"));
  }
  return plan;
}

// Checks an optional statistics output (Mean, InvStdDev): f32 of the plan's stat dims.
StatusOr<float*> StatOutput(const KernelContext& ctx, size_t i, const NormPlan& plan) {
  if (i >= ctx.outputs.size() || ctx.outputs[i] == nullptr) return static_cast<float*>(nullptr);
  Tensor& t = *ctx.outputs[i];
  if (t.dtype() != DType::kF32 || t.dims() != plan.stat_dims) {
    return InvalidArgument("output " + std::to_string(i) + " is " + t.type().ToString() +
                           ", expected f32" + Shape::FromStatic(plan.stat_dims).ToString());
  }
  return t.mutable_data<float>();
}

// Normalizes every row: load(i) reads element i of x, store(i, v) writes element i of y.
// rms=false: (x - mean) / sqrt(var + eps); rms=true: x / sqrt(mean(x^2) + eps).
template <typename Load, typename Store>
void NormRows(const NormPlan& plan, double epsilon, bool rms, Load load, Store store,
              float* mean_out, float* inv_out) {
  const int64_t n = plan.inner;
  for (int64_t r = 0; r < plan.outer; ++r) {
    const int64_t base = r * n;
    double mean = 0;
    if (!rms) {
      for (int64_t j = 0; j < n; ++j) mean += load(base + j);
      mean /= static_cast<double>(n);
    }
    double square_sum = 0;
    for (int64_t j = 0; j < n; ++j) {
      const double d = load(base + j) - mean;
      square_sum += d * d;
    }
    const double inv = 1.0 / std::sqrt(square_sum / static_cast<double>(n) + epsilon);
    for (int64_t j = 0; j < n; ++j) {
      const double bias = plan.bias.empty() ? 0.0 : plan.bias[j];
      store(base + j, (load(base + j) - mean) * inv * plan.scale[j] + bias);
    }
    if (mean_out != nullptr) mean_out[r] = static_cast<float>(mean);
    if (inv_out != nullptr) inv_out[r] = static_cast<float>(inv);
  }
}

Status NormKernel(const KernelContext& ctx, const NormPlan& plan, double epsilon, bool rms,
                  float* mean_out, float* inv_out) {
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = *ctx.outputs[0];
  if (x.dtype() == DType::kF32 && y.dtype() == DType::kF32) {
    const float* px = x.data<float>();
    float* py = y.mutable_data<float>();
    NormRows(
        plan, epsilon, rms, [px](int64_t i) { return static_cast<double>(px[i]); },
        [py](int64_t i, double v) { py[i] = static_cast<float>(v); }, mean_out, inv_out);
  } else {
    NormRows(
        plan, epsilon, rms, [&x](int64_t i) { return x.GetDouble(i); },
        [&y](int64_t i, double v) { y.SetDouble(i, v); }, mean_out, inv_out);
  }
  return OkStatus();
}

}  // namespace

Status LayerNorm(const KernelContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(NormPlan plan, PlanNorm(ctx, 3));
  if (ctx.outputs[0]->dtype() != ctx.inputs[0]->dtype()) {
    return InvalidArgument("output 0 must have the dtype of x");
  }
  HETERO_ASSIGN_OR_RETURN(float* mean_out, StatOutput(ctx, 1, plan));
  HETERO_ASSIGN_OR_RETURN(float* inv_out, StatOutput(ctx, 2, plan));
  return NormKernel(ctx, plan, ctx.attrs.GetFloat("epsilon", 1e-5), /*rms=*/false, mean_out,
                    inv_out);
}

Status RMSNorm(const KernelContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(NormPlan plan, PlanNorm(ctx, 2));
  if (ctx.outputs[0]->dtype() != ctx.inputs[1]->dtype()) {
    return InvalidArgument("output 0 must have the dtype of scale");
  }
  return NormKernel(ctx, plan, ctx.attrs.GetFloat("epsilon", 1e-5), /*rms=*/true, nullptr, nullptr);
}

}  // namespace hetero::ops::reference
