// Reference kernels of the reduce family: sums, means and maxima over axes, and the
// numerically stable Softmax / LogSoftmax. Floats accumulate in double.
#include "ops/reference/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ops/broadcast.h"
#include "ops/reference/walk.h"

namespace hetero::ops::reference {
namespace {

struct Reduction {
  std::vector<int64_t> kept_dims;    // the output dims with reduced dims kept as 1
  std::vector<int64_t> out_strides;  // per input dim: output stride, 0 on reduced dims
  int64_t count = 1;                 // input elements folded into each output element
};

// Checks the kernel's input and output against the axes and keepdims attributes.
StatusOr<Reduction> PlanReduction(const KernelContext& ctx) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0] == nullptr || ctx.outputs.size() != 1 ||
      ctx.outputs[0] == nullptr) {
    return InvalidArgument("expected 1 input and 1 output");
  }
  const Tensor& x = *ctx.inputs[0];
  const Tensor& out = *ctx.outputs[0];
  const std::vector<int64_t> axes = ctx.attrs.GetInts("axes");
  HETERO_ASSIGN_OR_RETURN(std::vector<bool> mask, ReductionMask(axes, x.rank()));
  const bool keepdims = ctx.attrs.GetInt("keepdims", 1) != 0;
  Reduction r;
  std::vector<int64_t> out_dims;
  for (size_t i = 0; i < x.rank(); ++i) {
    r.kept_dims.push_back(mask[i] ? 1 : x.dim(i));
    if (mask[i]) r.count *= x.dim(i);
    if (!mask[i] || keepdims) out_dims.push_back(r.kept_dims.back());
  }
  if (out.dims() != out_dims || out.dtype() != x.dtype()) {
    return InvalidArgument("output is " + out.type().ToString() + ", expected " +
                           std::string(DTypeName(x.dtype())) +
                           Shape::FromStatic(out_dims).ToString());
  }
  r.out_strides = ContiguousStrides(r.kept_dims);
  for (size_t i = 0; i < x.rank(); ++i) {
    if (mask[i]) r.out_strides[i] = 0;
  }
  return r;
}

// Calls fold(acc[output index], input index) for every input element.
template <typename Acc, typename Fold>
void FoldInto(const Tensor& x, const Reduction& r, std::vector<Acc>& acc, Fold fold) {
  ForEachRow<1>(x.dims(), {r.out_strides},
                [&](int64_t in, const auto& off, const auto& step, int64_t n) {
                  Acc* a = acc.data() + off[0];
                  for (int64_t i = 0; i < n; ++i) fold(a[i * step[0]], in + i);
                });
}

std::vector<double> SumAsDouble(const Tensor& x, const Reduction& r, int64_t outputs) {
  std::vector<double> acc(static_cast<size_t>(outputs), 0.0);
  if (x.dtype() == DType::kF32) {
    const float* p = x.data<float>();
    FoldInto(x, r, acc, [p](double& a, int64_t i) { a += p[i]; });
  } else {
    FoldInto(x, r, acc, [&x](double& a, int64_t i) { a += x.GetDouble(i); });
  }
  return acc;
}

// Integer sums wrap in 64 bits; the store wraps again to the output dtype.
std::vector<int64_t> SumAsInt64(const Tensor& x, const Reduction& r, int64_t outputs) {
  std::vector<uint64_t> acc(static_cast<size_t>(outputs), 0);
  FoldInto(x, r, acc, [&x](uint64_t& a, int64_t i) { a += static_cast<uint64_t>(x.GetInt64(i)); });
  return std::vector<int64_t>(acc.begin(), acc.end());
}

// The identity of max: -inf for floats, the dtype's lowest value for integers.
int64_t LowestInt(DType dtype) {
  switch (dtype) {
    case DType::kI64: return std::numeric_limits<int64_t>::min();
    case DType::kI32: return std::numeric_limits<int32_t>::min();
    case DType::kI8: return std::numeric_limits<int8_t>::min();
    default: return 0;  // u8, bool
  }
}

// Softmax over one axis of x, row by row: exp(x - max) / sum, or its log.
template <typename Load, typename Store>
void SoftmaxRows(int64_t outer, int64_t n, int64_t inner, bool log, Load load, Store store) {
  std::vector<double> work(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      const int64_t base = o * n * inner + j;
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < n; ++k) max = std::max(max, load(base + k * inner));
      // `work` holds x - max for LogSoftmax and exp(x - max) for Softmax.
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        const double shifted = load(base + k * inner) - max;
        const double e = std::exp(shifted);
        work[k] = log ? shifted : e;
        sum += e;
      }
      const double log_sum = std::log(sum);
      for (int64_t k = 0; k < n; ++k) {
        store(base + k * inner, log ? work[k] - log_sum : work[k] / sum);
      }
    }
  }
}

Status SoftmaxKernel(const KernelContext& ctx, bool log) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0] == nullptr || ctx.outputs.size() != 1 ||
      ctx.outputs[0] == nullptr) {
    return InvalidArgument("expected 1 input and 1 output");
  }
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = *ctx.outputs[0];
  if (y.type() != x.type() || !IsFloat(x.dtype())) {
    return InvalidArgument("input is " + x.type().ToString() + " and output " +
                           y.type().ToString() + "; expected the same float type");
  }
  const auto rank = static_cast<int64_t>(x.rank());
  HETERO_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(ctx.attrs.GetInt("axis", -1), rank));
  if (rank == 0) return InvalidArgument("Softmax needs rank 1 or more");
  int64_t outer = 1;
  int64_t inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
  for (int64_t i = axis + 1; i < rank; ++i) inner *= x.dim(i);
  const int64_t n = x.dim(axis);
  if (x.dtype() == DType::kF32) {
    const float* px = x.data<float>();
    float* py = y.mutable_data<float>();
    SoftmaxRows(
        outer, n, inner, log, [px](int64_t i) { return static_cast<double>(px[i]); },
        [py](int64_t i, double v) { py[i] = static_cast<float>(v); });
  } else {
    SoftmaxRows(
        outer, n, inner, log, [&x](int64_t i) { return x.GetDouble(i); },
        [&y](int64_t i, double v) { y.SetDouble(i, v); });
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<bool>> ReductionMask(std::span<const int64_t> axes, size_t rank) {
  std::vector<bool> mask(rank, axes.empty());
  const auto r = static_cast<int64_t>(rank);
  for (int64_t axis : axes) {
    if (axis < -r || axis >= r) {
      return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " +
                             std::to_string(rank));
    }
    const auto i = static_cast<size_t>(axis < 0 ? axis + r : axis);
    if (mask[i]) {
      return InvalidArgument("axis " + std::to_string(axis) + " names dim " + std::to_string(i) +
                             ", which appears twice in axes");
    }
    mask[i] = true;
  }
  return mask;
}

Status ReduceSum(const KernelContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(Reduction r, PlanReduction(ctx));
  const Tensor& x = *ctx.inputs[0];
  Tensor& out = *ctx.outputs[0];
  const int64_t n = out.num_elements();
  if (IsFloat(x.dtype())) {
    const std::vector<double> sum = SumAsDouble(x, r, n);
    for (int64_t i = 0; i < n; ++i) out.SetDouble(i, sum[i]);
  } else {
    const std::vector<int64_t> sum = SumAsInt64(x, r, n);
    for (int64_t i = 0; i < n; ++i) out.SetInt64(i, sum[i]);
  }
  return OkStatus();
}

Status ReduceMean(const KernelContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(Reduction r, PlanReduction(ctx));
  const Tensor& x = *ctx.inputs[0];
  Tensor& out = *ctx.outputs[0];
  const int64_t n = out.num_elements();
  if (IsFloat(x.dtype())) {
    // An empty reduction gives 0/0 = NaN, as numpy does.
    const std::vector<double> sum = SumAsDouble(x, r, n);
    for (int64_t i = 0; i < n; ++i) out.SetDouble(i, sum[i] / static_cast<double>(r.count));
    return OkStatus();
  }
  if (r.count == 0 && n > 0) {
    return InvalidArgument("ReduceMean of integers over an empty set of " + x.type().ToString());
  }
  // Integer means truncate toward zero (C++ division of the exact sum).
  const std::vector<int64_t> sum = SumAsInt64(x, r, n);
  for (int64_t i = 0; i < n; ++i) out.SetInt64(i, sum[i] / r.count);
  return OkStatus();
}

Status ReduceMax(const KernelContext& ctx) {
  HETERO_ASSIGN_OR_RETURN(Reduction r, PlanReduction(ctx));
  const Tensor& x = *ctx.inputs[0];
  Tensor& out = *ctx.outputs[0];
  const auto n = static_cast<size_t>(out.num_elements());
  if (IsFloat(x.dtype())) {
    // NaN wins, as numpy's maximum does.
    std::vector<double> acc(n, -std::numeric_limits<double>::infinity());
    FoldInto(x, r, acc, [&x](double& a, int64_t i) {
      const double v = x.GetDouble(i);
      if (v > a || std::isnan(v)) a = v;
    });
    for (size_t i = 0; i < n; ++i) out.SetDouble(static_cast<int64_t>(i), acc[i]);
  } else {
    std::vector<int64_t> acc(n, LowestInt(x.dtype()));
    FoldInto(x, r, acc, [&x](int64_t& a, int64_t i) { a = std::max(a, x.GetInt64(i)); });
    for (size_t i = 0; i < n; ++i) out.SetInt64(static_cast<int64_t>(i), acc[i]);
  }
  return OkStatus();
}

Status Softmax(const KernelContext& ctx) { return SoftmaxKernel(ctx, /*log=*/false); }
Status LogSoftmax(const KernelContext& ctx) { return SoftmaxKernel(ctx, /*log=*/true); }

}  // namespace hetero::ops::reference
