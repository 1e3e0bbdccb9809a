// Reference kernels of the norm op family (see docs/opset.md for semantics).
#pragma once

#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// LayerNorm writes Y and, when the node has them, Mean and InvStdDev (f32, x's dims up
// to `axis` then 1s). RMSNorm writes Y. Statistics are computed in double. Both fail on
// inputs or outputs that do not match the op's inference, never abort. Thread-safe.
Status LayerNorm(const KernelContext& ctx);
Status RMSNorm(const KernelContext& ctx);

}  // namespace hetero::ops::reference
