// QuantMatMul on the int8 GEMM: every row of the left operand against int8 weights that
// were packed at compile time (or are packed now when they are not constant).
#include <string>

#include "devices/cpu/kernels/fast_ops.h"
#include "devices/cpu/kernels/int8_gemm.h"

namespace hetero::cpu {

StatusOr<bool> TryFastQuantMatMul(const ops::KernelContext& ctx, const FastContext& fast) {
  if (ctx.inputs.size() < 3 || ctx.outputs.empty()) return false;
  const Tensor* a = ctx.inputs[0];
  const Tensor* b = ctx.inputs[1];
  const Tensor* b_scale = ctx.inputs[2];
  auto input = [&](size_t i) { return i < ctx.inputs.size() ? ctx.inputs[i] : nullptr; };
  const Tensor* bias = input(3);
  const Tensor* a_scale = input(4);
  Tensor* out = ctx.outputs[0];
  if (a == nullptr || b == nullptr || b_scale == nullptr || a->dtype() != DType::kF32 ||
      a->rank() < 1 || b->dtype() != DType::kI8 || b->rank() != 2 ||
      b_scale->dtype() != DType::kF32 || out->dtype() != DType::kF32) {
    return false;
  }
  Activation act = Activation::kNone;
  if (!ParseActivation(ctx.attrs.GetString("activation", "none"), &act)) return false;
  const bool transpose_b = ctx.attrs.GetInt("transpose_b", 0) != 0;
  const int64_t k = a->dims().back();
  const int64_t n = transpose_b ? b->dim(0) : b->dim(1);
  if ((transpose_b ? b->dim(1) : b->dim(0)) != k || k > ops::reference::kMaxQuantMatMulInner ||
      out->rank() != a->rank() || out->dims().back() != n ||
      (b_scale->num_elements() != 1 && b_scale->num_elements() != n)) {
    return false;  // the reference kernel names what is wrong
  }
  if (bias != nullptr && (bias->dtype() != DType::kF32 || bias->num_elements() != n)) return false;
  if (a_scale != nullptr && (a_scale->dtype() != DType::kF32 || a_scale->num_elements() != 1)) {
    return false;
  }
  if (out->num_elements() == 0) return true;
  std::shared_ptr<const PackedInt8Weights> owned;
  const PackedInt8Weights* packed = fast.packed_i8;
  if (packed == nullptr) {
    HETERO_ASSIGN_OR_RETURN(owned, PackInt8Weights(*b, transpose_b, *b_scale));
    packed = owned.get();
  }
  QuantGemmArgs g;
  g.a = a->data<float>();
  g.m = out->num_elements() / n;
  g.lda = k;
  g.b = packed;
  if (a_scale != nullptr) {
    g.static_activation = true;
    g.activation_quant.scale = a_scale->data<float>()[0];
    g.activation_quant.zero_point = ops::reference::StaticZeroPointU8(input(5));
  }
  g.bias = bias != nullptr ? bias->data<float>() : nullptr;
  g.activation = act;
  g.c = out->mutable_data<float>();
  g.ldc = n;
  HETERO_RETURN_IF_ERROR(QuantGemm(*fast.kernels, g, fast.parallel_for));
  return true;
}

}  // namespace hetero::cpu
