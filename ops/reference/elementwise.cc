// Reference kernels of the elementwise family: binary arithmetic, comparisons, logic and
// Where, for every dtype, with plain f32 loops for the hot arithmetic ops.
#include "ops/reference/elementwise.h"

#include <cmath>
#include <cstring>
#include <string>

#include "ops/reference/walk.h"

namespace hetero::ops::reference {
namespace {

// Checks that the first `num_inputs` inputs are present and that output 0 has the dims of
// their broadcast.
Status CheckBroadcastIo(const KernelContext& ctx, size_t num_inputs) {
  if (ctx.inputs.size() != num_inputs || ctx.outputs.size() != 1 || ctx.outputs[0] == nullptr) {
    return InvalidArgument("expected " + std::to_string(num_inputs) + " inputs and 1 output, got " +
                           std::to_string(ctx.inputs.size()) + " and " +
                           std::to_string(ctx.outputs.size()));
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < num_inputs; ++i) {
    if (ctx.inputs[i] == nullptr)
      return InvalidArgument("input " + std::to_string(i) + " is missing");
    HETERO_ASSIGN_OR_RETURN(dims, BroadcastDims(dims, ctx.inputs[i]->dims()));
  }
  const Tensor& out = *ctx.outputs[0];
  if (out.dims() != dims) {
    return InvalidArgument("output is " + out.type().ToString() + " but the inputs broadcast to " +
                           Shape::FromStatic(dims).ToString());
  }
  return OkStatus();
}

Status CheckDType(const Tensor& t, DType want, std::string_view what) {
  if (t.dtype() == want) return OkStatus();
  return InvalidArgument(std::string(what) + " is " + std::string(DTypeName(t.dtype())) +
                         ", expected " + std::string(DTypeName(want)));
}

// Binary ops whose inputs share one dtype: checks dims, that dtype, and the output dtype.
Status CheckBinary(const KernelContext& ctx, bool bool_output) {
  HETERO_RETURN_IF_ERROR(CheckBroadcastIo(ctx, 2));
  const DType dtype = ctx.inputs[0]->dtype();
  HETERO_RETURN_IF_ERROR(CheckDType(*ctx.inputs[1], dtype, "input 'b'"));
  return CheckDType(*ctx.outputs[0], bool_output ? DType::kBool : dtype, "output");
}

// Visits each output element with the indices of the input elements it reads.
template <typename Fn>
void ForEachBinary(const Tensor& a, const Tensor& b, const Tensor& out, Fn&& fn) {
  ForEachBroadcastRow<2>(out.dims(), {&a.dims(), &b.dims()},
                         [&](int64_t o, const auto& off, const auto& step, int64_t n) {
                           for (int64_t i = 0; i < n; ++i) {
                             fn(o + i, off[0] + i * step[0], off[1] + i * step[1]);
                           }
                         });
}

// All three tensors f32: a typed loop, contiguous when no operand broadcasts in a row.
template <typename Fn>
void BinaryF32(const Tensor& a, const Tensor& b, Tensor& out, Fn fn) {
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* po = out.mutable_data<float>();
  ForEachBroadcastRow<2>(out.dims(), {&a.dims(), &b.dims()},
                         [&](int64_t o, const auto& off, const auto& step, int64_t n) {
                           const float* ra = pa + off[0];
                           const float* rb = pb + off[1];
                           float* ro = po + o;
                           if (step[0] == 1 && step[1] == 1) {
                             for (int64_t i = 0; i < n; ++i) ro[i] = fn(ra[i], rb[i]);
                           } else {
                             for (int64_t i = 0; i < n; ++i) {
                               ro[i] = fn(ra[i * step[0]], rb[i * step[1]]);
                             }
                           }
                         });
}

// Floating point: computes in double, rounds to the output dtype on store.
template <typename Fn>
void BinaryDouble(const Tensor& a, const Tensor& b, Tensor& out, Fn fn) {
  ForEachBinary(a, b, out, [&](int64_t o, int64_t i, int64_t j) {
    out.SetDouble(o, fn(a.GetDouble(i), b.GetDouble(j)));
  });
}

// Integers and bool: exact in int64, wrapping to the output dtype on store.
template <typename Fn>
void BinaryInt(const Tensor& a, const Tensor& b, Tensor& out, Fn fn) {
  ForEachBinary(a, b, out, [&](int64_t o, int64_t i, int64_t j) {
    out.SetInt64(o, fn(a.GetInt64(i), b.GetInt64(j)));
  });
}

// Two's complement arithmetic without signed overflow.
int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }

enum class Arith { kAdd, kSub, kMul, kDiv };

template <Arith kOp, typename T>
T ApplyArith(T x, T y) {
  if constexpr (kOp == Arith::kAdd) return x + y;
  if constexpr (kOp == Arith::kSub) return x - y;
  if constexpr (kOp == Arith::kMul) return x * y;
  if constexpr (kOp == Arith::kDiv) return x / y;
}

template <Arith kOp>
int64_t ApplyArithInt(int64_t x, int64_t y) {
  if constexpr (kOp == Arith::kAdd) return Wrap(U(x) + U(y));
  if constexpr (kOp == Arith::kSub) return Wrap(U(x) - U(y));
  if constexpr (kOp == Arith::kMul) return Wrap(U(x) * U(y));
  // C++ division truncates toward zero; INT64_MIN / -1 wraps instead of trapping.
  if constexpr (kOp == Arith::kDiv) return y == -1 ? Wrap(0 - U(x)) : x / y;
}

Status CheckNoZeroDivisor(const Tensor& b, const Tensor& out) {
  if (out.num_elements() == 0) return OkStatus();
  for (int64_t i = 0; i < b.num_elements(); ++i) {
    if (b.GetInt64(i) == 0) {
      return InvalidArgument("integer division by zero: element " + std::to_string(i) +
                             " of divisor 'b' " + b.type().ToString() + " is 0");
    }
  }
  return OkStatus();
}

template <Arith kOp>
Status ArithKernel(const KernelContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckBinary(ctx, /*bool_output=*/false));
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  Tensor& out = *ctx.outputs[0];
  const DType dtype = a.dtype();
  if (dtype == DType::kF32) {
    BinaryF32(a, b, out, [](float x, float y) { return ApplyArith<kOp>(x, y); });
  } else if (IsFloat(dtype)) {
    BinaryDouble(a, b, out, [](double x, double y) { return ApplyArith<kOp>(x, y); });
  } else if (IsInteger(dtype)) {
    if (kOp == Arith::kDiv) HETERO_RETURN_IF_ERROR(CheckNoZeroDivisor(b, out));
    BinaryInt(a, b, out, [](int64_t x, int64_t y) { return ApplyArithInt<kOp>(x, y); });
  } else {
    return InvalidArgument("arithmetic is not defined on " + std::string(DTypeName(dtype)));
  }
  return OkStatus();
}

// Exact integer power by squaring, wrapping like repeated multiplication would.
StatusOr<int64_t> IntPow(int64_t base, int64_t exponent) {
  if (exponent < 0) {
    // 1 / base^n truncated toward zero.
    if (base == 0)
      return InvalidArgument("integer Pow: 0 raised to negative power " + std::to_string(exponent));
    if (base == 1) return 1;
    if (base == -1) return exponent % 2 == 0 ? 1 : -1;
    return 0;
  }
  uint64_t result = 1;
  uint64_t b = U(base);
  for (uint64_t e = U(exponent); e != 0; e >>= 1) {
    if (e & 1) result *= b;
    b *= b;
  }
  return Wrap(result);
}

template <typename Fn>
Status CompareKernel(const KernelContext& ctx, Fn fn) {
  HETERO_RETURN_IF_ERROR(CheckBinary(ctx, /*bool_output=*/true));
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  Tensor& out = *ctx.outputs[0];
  if (IsFloat(a.dtype())) {
    ForEachBinary(a, b, out, [&](int64_t o, int64_t i, int64_t j) {
      out.SetInt64(o, fn(a.GetDouble(i), b.GetDouble(j)) ? 1 : 0);
    });
  } else {
    ForEachBinary(a, b, out, [&](int64_t o, int64_t i, int64_t j) {
      out.SetInt64(o, fn(a.GetInt64(i), b.GetInt64(j)) ? 1 : 0);
    });
  }
  return OkStatus();
}

template <typename Fn>
Status LogicKernel(const KernelContext& ctx, Fn fn) {
  HETERO_RETURN_IF_ERROR(CheckBinary(ctx, /*bool_output=*/true));
  HETERO_RETURN_IF_ERROR(CheckDType(*ctx.inputs[0], DType::kBool, "input 'a'"));
  BinaryInt(*ctx.inputs[0], *ctx.inputs[1], *ctx.outputs[0],
            [&](int64_t x, int64_t y) -> int64_t { return fn(x != 0, y != 0) ? 1 : 0; });
  return OkStatus();
}

// Copies elements of `ElemT`-sized storage: out = cond ? a : b.
template <typename ElemT>
void WhereTyped(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) {
  const auto* pc = cond.data<uint8_t>();
  const auto* pa = a.data<ElemT>();
  const auto* pb = b.data<ElemT>();
  auto* po = out.mutable_data<ElemT>();
  ForEachBroadcastRow<3>(out.dims(), {&cond.dims(), &a.dims(), &b.dims()},
                         [&](int64_t o, const auto& off, const auto& step, int64_t n) {
                           for (int64_t i = 0; i < n; ++i) {
                             po[o + i] = pc[off[0] + i * step[0]] != 0 ? pa[off[1] + i * step[1]]
                                                                       : pb[off[2] + i * step[2]];
                           }
                         });
}

}  // namespace

Status Add(const KernelContext& ctx) { return ArithKernel<Arith::kAdd>(ctx); }
Status Sub(const KernelContext& ctx) { return ArithKernel<Arith::kSub>(ctx); }
Status Mul(const KernelContext& ctx) { return ArithKernel<Arith::kMul>(ctx); }
Status Div(const KernelContext& ctx) { return ArithKernel<Arith::kDiv>(ctx); }

Status Pow(const KernelContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckBroadcastIo(ctx, 2));
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckDType(out, a.dtype(), "output"));
  if (IsFloat(a.dtype()) || IsFloat(b.dtype())) {
    // An integer base with a float exponent truncates the result toward zero on store.
    BinaryDouble(a, b, out, [](double x, double y) { return std::pow(x, y); });
    return OkStatus();
  }
  Status status;
  ForEachBinary(a, b, out, [&](int64_t o, int64_t i, int64_t j) {
    if (!status.ok()) return;
    StatusOr<int64_t> v = IntPow(a.GetInt64(i), b.GetInt64(j));
    if (v.ok()) {
      out.SetInt64(o, *v);
    } else {
      status = v.status();
    }
  });
  return status;
}

Status Equal(const KernelContext& ctx) {
  return CompareKernel(ctx, [](auto x, auto y) { return x == y; });
}
Status Less(const KernelContext& ctx) {
  return CompareKernel(ctx, [](auto x, auto y) { return x < y; });
}
Status Greater(const KernelContext& ctx) {
  return CompareKernel(ctx, [](auto x, auto y) { return x > y; });
}
Status And(const KernelContext& ctx) {
  return LogicKernel(ctx, [](bool x, bool y) { return x && y; });
}
Status Or(const KernelContext& ctx) {
  return LogicKernel(ctx, [](bool x, bool y) { return x || y; });
}

Status Where(const KernelContext& ctx) {
  HETERO_RETURN_IF_ERROR(CheckBroadcastIo(ctx, 3));
  const Tensor& cond = *ctx.inputs[0];
  const Tensor& a = *ctx.inputs[1];
  const Tensor& b = *ctx.inputs[2];
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckDType(cond, DType::kBool, "input 'cond'"));
  HETERO_RETURN_IF_ERROR(CheckDType(b, a.dtype(), "input 'b'"));
  HETERO_RETURN_IF_ERROR(CheckDType(out, a.dtype(), "output"));
  switch (DTypeSize(a.dtype())) {
    case 1: WhereTyped<uint8_t>(cond, a, b, out); break;
    case 2: WhereTyped<uint16_t>(cond, a, b, out); break;
    case 4: WhereTyped<uint32_t>(cond, a, b, out); break;
    case 8: WhereTyped<uint64_t>(cond, a, b, out); break;
    default: return Internal("Where: unexpected element size");
  }
  return OkStatus();
}

}  // namespace hetero::ops::reference
