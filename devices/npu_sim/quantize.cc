// int8 quantization and the int32-accumulating GEMM of the simulated matrix engine.
#include "devices/npu_sim/quantize.h"

#include <algorithm>
#include <cmath>

#include "ops/reference/matmul.h"

namespace hetero::npu_sim {

int8_t QuantizeInt8(float x, float scale) {
  if (std::isnan(x)) return 0;
  const double r = std::nearbyint(static_cast<double>(x) / scale);  // FE_TONEAREST: ties even
  return static_cast<int8_t>(std::clamp(r, -128.0, 127.0));
}

float ActivationScale(float max_abs) {
  return max_abs > 0 && std::isfinite(max_abs) ? max_abs / 127.0f : 1.0f;
}

std::shared_ptr<const QuantizedMatrix> QuantizeWeights(const float* b, int64_t k, int64_t n,
                                                       bool transposed) {
  auto w = std::make_shared<QuantizedMatrix>();
  w->k = k;
  w->n = n;
  w->q.resize(static_cast<size_t>(k * n));
  w->scale.assign(static_cast<size_t>(n), 0.0f);
  auto at = [&](int64_t kk, int64_t j) { return transposed ? b[j * k + kk] : b[kk * n + j]; };
  for (int64_t kk = 0; kk < k; ++kk) {
    for (int64_t j = 0; j < n; ++j) w->scale[j] = std::max(w->scale[j], std::fabs(at(kk, j)));
  }
  for (float& s : w->scale) s = ActivationScale(s);
  for (int64_t kk = 0; kk < k; ++kk) {
    for (int64_t j = 0; j < n; ++j) w->q[kk * n + j] = QuantizeInt8(at(kk, j), w->scale[j]);
  }
  return w;
}

namespace {

// acc[j] += x * w[j]: the int8 GEMM's inner loop (exact in int32). GCC's -O2 cost model
// leaves it scalar; vectorized it is several times faster, with the same sums.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
void AccumulateRow(int32_t x, const int8_t* w, int32_t* acc, int64_t n) {
  for (int64_t j = 0; j < n; ++j) acc[j] += x * static_cast<int32_t>(w[j]);
}

}  // namespace

void Int8Gemm(const float* a, int64_t m, float a_scale, const QuantizedMatrix& w, const float* bias,
              float (*activation)(float), float* c, const ParallelFor& parallel_for) {
  const int64_t k = w.k, n = w.n;
  auto rows = [&](int64_t r0, int64_t r1) {
    std::vector<int8_t> qa(static_cast<size_t>(k));
    std::vector<int32_t> acc(static_cast<size_t>(n));
    for (int64_t i = r0; i < r1; ++i) {
      for (int64_t kk = 0; kk < k; ++kk) qa[kk] = QuantizeInt8(a[i * k + kk], a_scale);
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t kk = 0; kk < k; ++kk) {
        const int32_t x = qa[kk];
        if (x != 0) AccumulateRow(x, w.q.data() + kk * n, acc.data(), n);
      }
      for (int64_t j = 0; j < n; ++j) {
        float y = static_cast<float>(static_cast<double>(acc[j]) * a_scale * w.scale[j]);
        if (bias != nullptr) y += bias[j];
        c[i * n + j] = activation != nullptr ? activation(y) : y;
      }
    }
  };
  if (parallel_for && m > 1 && m * n * k >= (int64_t{1} << 18)) {
    parallel_for(m, rows);
  } else {
    rows(0, m);
  }
}

StatusOr<bool> TryInt8Node(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                           const QuantizedMatrix& w, float a_scale,
                           const ParallelFor& parallel_for) {
  if (ctx.inputs.size() < 2 || ctx.outputs.size() != 1 || ctx.inputs[0] == nullptr) return false;
  const Tensor& a = *ctx.inputs[0];
  Tensor& out = *ctx.outputs[0];
  if (a.dtype() != DType::kF32 || out.dtype() != DType::kF32 || a.rank() < 2 ||
      ctx.attrs.GetInt("transpose_a", 0) != 0 || a.dims().back() != w.k ||
      out.dims().back() != w.n || out.num_elements() != a.num_elements() / w.k * w.n) {
    return false;
  }
  const float* bias = nullptr;
  float (*activation)(float) = nullptr;
  if (schema.name == "FusedMatMul") {
    const Tensor* b = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
    if (b != nullptr) {
      if (b->dtype() != DType::kF32 || b->num_elements() != w.n) return false;
      bias = b->data<float>();
    }
    const std::string act = ctx.attrs.GetString("activation", "none");
    if (act != "none") {
      HETERO_ASSIGN_OR_RETURN(activation, ops::reference::ActivationByName(act));
    }
  }
  Int8Gemm(a.data<float>(), a.num_elements() / w.k, a_scale, w, bias, activation,
           out.mutable_data<float>(), parallel_for);
  return true;
}

}  // namespace hetero::npu_sim
