// The CPU device's own kernels: which nodes they take, and running them.
#pragma once

#include <memory>

#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/kernels/gemm.h"
#include "devices/cpu/kernels/int8_gemm.h"
#include "devices/cpu/kernels/kernel_table.h"
#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::cpu {

// What a fast kernel needs besides the node's tensors.
struct FastContext {
  const KernelTable* kernels = nullptr;
  ParallelForFn parallel_for;                    // may be empty: run on the calling thread
  const PackedWeights* packed_b = nullptr;       // the node's constant right operand, packed
  const PackedInt8Weights* packed_i8 = nullptr;  // QuantMatMul's constant weights, packed
};

// Runs the node with a fast f32 kernel when one covers it (op, dtypes, shapes,
// attributes) and returns true; returns false, having written nothing, when the
// reference kernel must run it. Errors name what failed.
StatusOr<bool> TryFastKernel(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                             const FastContext& fast);

// The op families, one file each; same contract as TryFastKernel.
StatusOr<bool> TryFastMatMul(const ops::KernelContext& ctx, bool fused, const FastContext& fast);
StatusOr<bool> TryFastRowOp(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                            const FastContext& fast);
StatusOr<bool> TryFastQuantMatMul(const ops::KernelContext& ctx, const FastContext& fast);
StatusOr<bool> TryFastAttention(const ops::KernelContext& ctx, const FastContext& fast);
StatusOr<bool> TryFastTranspose(const ops::KernelContext& ctx, const FastContext& fast);

// FusedMatMul's activation attribute as an enum; false for a name not known.
bool ParseActivation(const std::string& name, Activation* out);

}  // namespace hetero::cpu
