// Which fast kernel takes a node: by op, then each family's own checks.
#include "devices/cpu/kernels/fast_ops.h"

namespace hetero::cpu {

StatusOr<bool> TryFastKernel(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                             const FastContext& fast) {
  const std::string& op = schema.name;
  if (op == "MatMul" || op == "FusedMatMul") return TryFastMatMul(ctx, op == "FusedMatMul", fast);
  if (op == "QuantMatMul") return TryFastQuantMatMul(ctx, fast);
  if (op == "Attention") return TryFastAttention(ctx, fast);
  if (op == "Transpose") return TryFastTranspose(ctx, fast);
  return TryFastRowOp(schema, ctx, fast);
}

}  // namespace hetero::cpu
