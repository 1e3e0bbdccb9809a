// Reference kernels of the reduce op family (see docs/opset.md for semantics).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// Which dims of a rank-`rank` tensor `axes` reduces: axes may be negative; empty means
// every dim. Fails on an axis out of [-rank, rank) or an axis given twice. Shared by
// the schemas' inference and the kernels.
StatusOr<std::vector<bool>> ReductionMask(std::span<const int64_t> axes, size_t rank);

// Each kernel reads ctx.inputs[0] and writes ctx.outputs[0], allocated by the caller with
// the type inference gives; fails on a mismatch, never aborts. Thread-safe.
Status ReduceSum(const KernelContext& ctx);
Status ReduceMean(const KernelContext& ctx);
Status ReduceMax(const KernelContext& ctx);
Status Softmax(const KernelContext& ctx);
Status LogSoftmax(const KernelContext& ctx);

}  // namespace hetero::ops::reference
