// Reference kernels of the elementwise op family (see docs/opset.md for semantics).
#pragma once

#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// Each kernel reads ctx.inputs, writes ctx.outputs[0] (allocated by the caller with the
// dims and dtype the op's inference gives) and fails with a Status on inputs that do
// not match those dims or dtypes, and on integer division by zero. Thread-safe.
Status Add(const KernelContext& ctx);
Status Sub(const KernelContext& ctx);
Status Mul(const KernelContext& ctx);
Status Div(const KernelContext& ctx);
Status Pow(const KernelContext& ctx);
Status Equal(const KernelContext& ctx);
Status Less(const KernelContext& ctx);
Status Greater(const KernelContext& ctx);
Status And(const KernelContext& ctx);
Status Or(const KernelContext& ctx);
Status Not(const KernelContext& ctx);
Status Neg(const KernelContext& ctx);
Status Exp(const KernelContext& ctx);
Status Log(const KernelContext& ctx);
Status Sqrt(const KernelContext& ctx);
Status Rsqrt(const KernelContext& ctx);
Status Reciprocal(const KernelContext& ctx);
Status Erf(const KernelContext& ctx);
Status Tanh(const KernelContext& ctx);
Status Sigmoid(const KernelContext& ctx);
Status Relu(const KernelContext& ctx);
Status Silu(const KernelContext& ctx);
Status Cos(const KernelContext& ctx);
Status Sin(const KernelContext& ctx);
Status Gelu(const KernelContext& ctx);
Status Where(const KernelContext& ctx);
Status Cast(const KernelContext& ctx);

}  // namespace hetero::ops::reference
