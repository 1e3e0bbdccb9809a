// Reference kernels of the elementwise family's one-input ops: math functions, Not, Cast.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "ops/reference/elementwise.h"

namespace hetero::ops::reference {
namespace {

constexpr double kSqrtHalf = 0.70710678118654752440;       // 1/sqrt(2)
constexpr double kSqrtTwoOverPi = 0.79788456080286535588;  // sqrt(2/pi)

enum class Unary {
  kNeg,
  kExp,
  kLog,
  kSqrt,
  kRsqrt,
  kReciprocal,
  kErf,
  kTanh,
  kSigmoid,
  kRelu,
  kSilu,
  kCos,
  kSin,
  kGelu,
  kGeluTanh,
};

// Never overflows: exp of a non-positive number only.
double StableSigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

template <Unary kOp>
double ApplyUnary(double x) {
  switch (kOp) {
    case Unary::kNeg: return -x;
    case Unary::kExp: return std::exp(x);
    case Unary::kLog: return std::log(x);
    case Unary::kSqrt: return std::sqrt(x);
    case Unary::kRsqrt: return 1.0 / std::sqrt(x);
    case Unary::kReciprocal: return 1.0 / x;
    case Unary::kErf: return std::erf(x);
    case Unary::kTanh: return std::tanh(x);
    case Unary::kSigmoid: return StableSigmoid(x);
    case Unary::kRelu: return x > 0 || std::isnan(x) ? x : 0.0;
    case Unary::kSilu: return x * StableSigmoid(x);
    case Unary::kCos: return std::cos(x);
    case Unary::kSin: return std::sin(x);
    case Unary::kGelu: return 0.5 * x * (1.0 + std::erf(x * kSqrtHalf));
    case Unary::kGeluTanh:
      return 0.5 * x * (1.0 + std::tanh(kSqrtTwoOverPi * (x + 0.044715 * x * x * x)));
  }
  return x;
}

// Checks one input and one output of the same dims; the output dtype is `out_dtype`.
Status CheckUnaryIo(const KernelContext& ctx, DType out_dtype) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0] == nullptr || ctx.outputs.size() != 1 ||
      ctx.outputs[0] == nullptr) {
    return InvalidArgument("expected 1 input and 1 output");
  }
  const Tensor& x = *ctx.inputs[0];
  const Tensor& y = *ctx.outputs[0];
  if (x.dims() != y.dims() || y.dtype() != out_dtype) {
    return InvalidArgument("output is " + y.type().ToString() + ", expected " +
                           std::string(DTypeName(out_dtype)) + x.type().shape.ToString());
  }
  return OkStatus();
}

template <Unary kOp>
Status UnaryKernel(const KernelContext& ctx) {
  if (!ctx.inputs.empty() && ctx.inputs[0] != nullptr) {
    HETERO_RETURN_IF_ERROR(CheckUnaryIo(ctx, ctx.inputs[0]->dtype()));
  } else {
    return InvalidArgument("input 'x' is missing");
  }
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = *ctx.outputs[0];
  const int64_t n = x.num_elements();
  if (x.dtype() == DType::kF32) {
    const float* px = x.data<float>();
    float* py = y.mutable_data<float>();
    for (int64_t i = 0; i < n; ++i) py[i] = static_cast<float>(ApplyUnary<kOp>(px[i]));
  } else if (IsFloat(x.dtype())) {
    for (int64_t i = 0; i < n; ++i) y.SetDouble(i, ApplyUnary<kOp>(x.GetDouble(i)));
  } else if (kOp == Unary::kNeg && IsInteger(x.dtype())) {
    // Negation in two's complement: the most negative value maps to itself.
    for (int64_t i = 0; i < n; ++i) {
      y.SetInt64(i, static_cast<int64_t>(0 - static_cast<uint64_t>(x.GetInt64(i))));
    }
  } else if (kOp == Unary::kRelu && IsInteger(x.dtype())) {
    for (int64_t i = 0; i < n; ++i) y.SetInt64(i, std::max<int64_t>(x.GetInt64(i), 0));
  } else {
    return InvalidArgument("not defined on " + std::string(DTypeName(x.dtype())));
  }
  return OkStatus();
}

// Stores `v` into element i of a floating-point tensor, rounding to nearest even.
void StoreFloat(Tensor& t, int64_t i, float v, bool saturate) {
  switch (t.dtype()) {
    case DType::kF32: t.mutable_data<float>()[i] = v; break;
    case DType::kF16: t.mutable_data<uint16_t>()[i] = FloatToHalf(v); break;
    case DType::kBF16: t.mutable_data<uint16_t>()[i] = FloatToBFloat16(v); break;
    case DType::kF8E4M3: t.mutable_data<uint8_t>()[i] = FloatToF8E4M3(v, saturate); break;
    default: break;
  }
}

}  // namespace

Status Neg(const KernelContext& ctx) { return UnaryKernel<Unary::kNeg>(ctx); }
Status Exp(const KernelContext& ctx) { return UnaryKernel<Unary::kExp>(ctx); }
Status Log(const KernelContext& ctx) { return UnaryKernel<Unary::kLog>(ctx); }
Status Sqrt(const KernelContext& ctx) { return UnaryKernel<Unary::kSqrt>(ctx); }
Status Rsqrt(const KernelContext& ctx) { return UnaryKernel<Unary::kRsqrt>(ctx); }
Status Reciprocal(const KernelContext& ctx) { return UnaryKernel<Unary::kReciprocal>(ctx); }
Status Erf(const KernelContext& ctx) { return UnaryKernel<Unary::kErf>(ctx); }
Status Tanh(const KernelContext& ctx) { return UnaryKernel<Unary::kTanh>(ctx); }
Status Sigmoid(const KernelContext& ctx) { return UnaryKernel<Unary::kSigmoid>(ctx); }
Status Relu(const KernelContext& ctx) { return UnaryKernel<Unary::kRelu>(ctx); }
Status Silu(const KernelContext& ctx) { return UnaryKernel<Unary::kSilu>(ctx); }
Status Cos(const KernelContext& ctx) { return UnaryKernel<Unary::kCos>(ctx); }
Status Sin(const KernelContext& ctx) { return UnaryKernel<Unary::kSin>(ctx); }

Status Gelu(const KernelContext& ctx) {
  const std::string approximate = ctx.attrs.GetString("approximate", "none");
  if (approximate == "none") return UnaryKernel<Unary::kGelu>(ctx);
  if (approximate == "tanh") return UnaryKernel<Unary::kGeluTanh>(ctx);
  return InvalidArgument("Gelu approximate must be \"none\" or \"tanh\", got \"" + approximate +
                         "\"");
}

Status Not(const KernelContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckUnaryIo(ctx, DType::kBool));
  const Tensor& x = *ctx.inputs[0];
  if (x.dtype() != DType::kBool) {
    return InvalidArgument("Not needs bool, got " + std::string(DTypeName(x.dtype())));
  }
  Tensor& y = *ctx.outputs[0];
  for (int64_t i = 0; i < x.num_elements(); ++i) y.SetInt64(i, x.GetInt64(i) == 0 ? 1 : 0);
  return OkStatus();
}

Status Cast(const KernelContext& ctx) {
  if (ctx.outputs.size() != 1 || ctx.outputs[0] == nullptr) {
    return InvalidArgument("expected 1 output");
  }
  const DType to = ctx.outputs[0]->dtype();
  HETERO_RETURN_IF_ERROR(CheckUnaryIo(ctx, to));
  const std::string to_name = ctx.attrs.GetString("to", "");
  if (ParseDType(to_name) != to) {
    return InvalidArgument("attribute to=\"" + to_name + "\" does not match the output dtype " +
                           std::string(DTypeName(to)));
  }
  const bool saturate = ctx.attrs.GetInt("saturate", 1) != 0;
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = *ctx.outputs[0];
  const DType from = x.dtype();
  const int64_t n = x.num_elements();
  if (from == to) {
    if (x.byte_size() > 0) std::memcpy(y.mutable_raw(), x.raw(), x.byte_size());
  } else if (IsFloat(to)) {
    // Every float source is exact in f32; an integer converts to f32 correctly rounded.
    for (int64_t i = 0; i < n; ++i) {
      const float v =
          IsFloat(from) ? static_cast<float>(x.GetDouble(i)) : static_cast<float>(x.GetInt64(i));
      StoreFloat(y, i, v, saturate);
    }
  } else if (IsFloat(from)) {
    // To an integer: truncation toward zero (NaN gives 0); to bool: x != 0.
    for (int64_t i = 0; i < n; ++i) y.SetDouble(i, x.GetDouble(i));
  } else {
    for (int64_t i = 0; i < n; ++i) y.SetInt64(i, x.GetInt64(i));
  }
  return OkStatus();
}

}  // namespace hetero::ops::reference
