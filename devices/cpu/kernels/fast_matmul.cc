// MatMul and FusedMatMul on the packed GEMM: rows of every leading dim of the left
// operand against a matrix, or batch by batch against equally batched right operands.
#include <string>
#include <vector>

#include "devices/cpu/kernels/fast_ops.h"

namespace hetero::cpu {
namespace {

bool IsF32(const Tensor* t) { return t != nullptr && t->dtype() == DType::kF32; }

// The bias as n floats, when it is a vector along the output's last dim or a scalar
// (expanded into `storage`); NULL data with ok=false when it has another shape.
bool BiasVector(const Tensor* bias, int64_t n, std::vector<float>& storage, const float** out) {
  *out = nullptr;
  if (bias == nullptr) return true;
  if (bias->dtype() != DType::kF32) return false;
  if (bias->num_elements() == 1) {
    storage.assign(static_cast<size_t>(n), bias->data<float>()[0]);
    *out = storage.data();
    return true;
  }
  if (bias->rank() == 0 || bias->dims().back() != n || bias->num_elements() != n) return false;
  *out = bias->data<float>();
  return true;
}

}  // namespace

bool ParseActivation(const std::string& name, Activation* out) {
  if (name == "none")
    *out = Activation::kNone;
  else if (name == "relu")
    *out = Activation::kRelu;
  else if (name == "gelu")
    *out = Activation::kGelu;
  else if (name == "gelu_tanh")
    *out = Activation::kGeluTanh;
  else if (name == "silu")
    *out = Activation::kSilu;
  else
    return false;
  return true;
}

StatusOr<bool> TryFastMatMul(const ops::KernelContext& ctx, bool fused, const FastContext& fast) {
  if (ctx.inputs.size() < 2 || ctx.outputs.empty()) return false;
  const Tensor* a = ctx.inputs[0];
  const Tensor* b = ctx.inputs[1];
  const Tensor* bias = fused && ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  Tensor* out = ctx.outputs[0];
  if (!IsF32(a) || !IsF32(b) || out->dtype() != DType::kF32) return false;
  if (ctx.attrs.GetInt("transpose_a", 0) != 0 || a->rank() < 1 || b->rank() < 2) return false;
  const bool transpose_b = ctx.attrs.GetInt("transpose_b", 0) != 0;
  Activation act = Activation::kNone;
  if (fused && !ParseActivation(ctx.attrs.GetString("activation", "none"), &act)) return false;
  const int64_t k = a->dims().back();
  const size_t br = b->rank();
  const int64_t n = transpose_b ? b->dim(br - 2) : b->dim(br - 1);
  if ((transpose_b ? b->dim(br - 1) : b->dim(br - 2)) != k || out->rank() < 1 ||
      out->dims().back() != n) {
    return false;
  }
  std::vector<float> bias_storage;
  const float* bias_data = nullptr;
  if (!BiasVector(bias, n, bias_storage, &bias_data)) return false;

  // Batches of b: 1 for a matrix; else a's batch dims must equal b's exactly.
  int64_t batches = 1;
  if (br > 2) {
    if (a->rank() != br) return false;
    for (size_t d = 0; d + 2 < br; ++d) {
      if (a->dim(d) != b->dim(d)) return false;
      batches *= b->dim(d);
    }
  }
  if (out->num_elements() == 0) return true;  // nothing to write
  const int64_t rows = out->num_elements() / n / batches;
  if (rows * n * batches != out->num_elements() || a->num_elements() != batches * rows * k) {
    return false;
  }

  for (int64_t batch = 0; batch < batches; ++batch) {
    std::shared_ptr<const PackedWeights> owned;
    const PackedWeights* packed = batches == 1 ? fast.packed_b : nullptr;
    if (packed == nullptr) {
      const Tensor slice = Tensor::Borrow(DType::kF32, {b->dim(br - 2), b->dim(br - 1)},
                                          b->data<float>() + batch * k * n, nullptr);
      HETERO_ASSIGN_OR_RETURN(owned, PackWeights(slice, transpose_b));
      packed = owned.get();
    }
    GemmArgs g;
    g.a = a->data<float>() + batch * rows * k;
    g.m = rows;
    g.lda = k;
    g.b = packed->View();
    g.bias = bias_data;
    g.activation = act;
    g.c = out->mutable_data<float>() + batch * rows * n;
    g.ldc = n;
    HETERO_RETURN_IF_ERROR(Gemm(*fast.kernels, g, fast.parallel_for));
  }
  return true;
}

}  // namespace hetero::cpu
