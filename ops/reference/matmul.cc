// Reference kernels of MatMul and FusedMatMul: a tiled f32 path and an exact int64 path.
#include "ops/reference/matmul.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/broadcast.h"

namespace hetero::ops::reference {

namespace {

std::vector<Dim> Suffix(const std::vector<Dim>& dims, size_t drop_back) {
  return std::vector<Dim>(dims.begin(), dims.end() - static_cast<std::ptrdiff_t>(drop_back));
}

// o[0..n) += a * b[0..n). Unrolled by 8 so the compiler vectorizes it at -O2.
void AxpyF32(float* __restrict o, const float* __restrict b, float a, int64_t n) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (int u = 0; u < 8; ++u) o[j + u] += a * b[j + u];
  }
  for (; j < n; ++j) o[j] += a * b[j];
}

// Four output rows at once: each b element loaded feeds four multiply-adds.
void Axpy4F32(float* __restrict o0, float* __restrict o1, float* __restrict o2,
              float* __restrict o3, const float* __restrict b, const float a[4], int64_t n) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (int u = 0; u < 8; ++u) {
      const float bj = b[j + u];
      o0[j + u] += a[0] * bj;
      o1[j + u] += a[1] * bj;
      o2[j + u] += a[2] * bj;
      o3[j + u] += a[3] * bj;
    }
  }
  for (; j < n; ++j) {
    o0[j] += a[0] * b[j];
    o1[j] += a[1] * b[j];
    o2[j] += a[2] * b[j];
    o3[j] += a[3] * b[j];
  }
}

// One [m,k] x [k,n] product with b row-major [k,n]; tiles keep a block of b in cache.
// Every output element still sums its k terms in ascending order.
void GemmF32(const float* a, bool transpose_a, const float* b, float* out, int64_t m, int64_t n,
             int64_t k) {
  constexpr int64_t kTileN = 512;
  constexpr int64_t kTileK = 128;
  auto a_at = [&](int64_t i, int64_t kk) { return transpose_a ? a[kk * m + i] : a[i * k + kk]; };
  std::fill(out, out + m * n, 0.0f);
  for (int64_t jb = 0; jb < n; jb += kTileN) {
    const int64_t jn = std::min(kTileN, n - jb);
    for (int64_t kb = 0; kb < k; kb += kTileK) {
      const int64_t ke = std::min(k, kb + kTileK);
      int64_t i = 0;
      for (; i + 4 <= m; i += 4) {
        float* o = out + i * n + jb;
        for (int64_t kk = kb; kk < ke; ++kk) {
          const float as[4] = {a_at(i, kk), a_at(i + 1, kk), a_at(i + 2, kk), a_at(i + 3, kk)};
          Axpy4F32(o, o + n, o + 2 * n, o + 3 * n, b + kk * n + jb, as, jn);
        }
      }
      for (; i < m; ++i) {
        for (int64_t kk = kb; kk < ke; ++kk)
          AxpyF32(out + i * n + jb, b + kk * n + jb, a_at(i, kk), jn);
      }
    }
  }
}

// b [n,k] row-major to bt [k,n], in square blocks so reads and writes stay in cache.
void TransposeF32(const float* b, int64_t n, int64_t k, float* bt) {
  constexpr int64_t kBlock = 32;
  for (int64_t jb = 0; jb < n; jb += kBlock) {
    for (int64_t kb = 0; kb < k; kb += kBlock) {
      for (int64_t j = jb; j < std::min(n, jb + kBlock); ++j) {
        for (int64_t kk = kb; kk < std::min(k, kb + kBlock); ++kk) bt[kk * n + j] = b[j * k + kk];
      }
    }
  }
}

float Relu(float x) { return x > 0.0f ? x : (std::isnan(x) ? x : 0.0f); }
float Identity(float x) { return x; }
float Gelu(float x) {
  const double d = x;
  return static_cast<float>(0.5 * d * (1.0 + std::erf(d / std::sqrt(2.0))));
}
float GeluTanh(float x) {
  const double d = x;
  const double c = std::sqrt(2.0 / 3.14159265358979323846);
  return static_cast<float>(0.5 * d * (1.0 + std::tanh(c * (d + 0.044715 * d * d * d))));
}
float Silu(float x) {
  const double d = x;
  return static_cast<float>(d / (1.0 + std::exp(-d)));
}

// Runs the plan for any float dtype: f32 directly, others staged through f32.
std::vector<float> FloatMatMul(const MatMulPlan& plan, const Tensor& a, const Tensor& b) {
  std::vector<float> out(plan.a_offsets.size() * static_cast<size_t>(plan.m * plan.n));
  if (a.dtype() == DType::kF32) {
    MatMulF32(plan, a.data<float>(), b.data<float>(), out.data());
  } else {
    const std::vector<float> fa = ToF32(a);
    const std::vector<float> fb = ToF32(b);
    MatMulF32(plan, fa.data(), fb.data(), out.data());
  }
  return out;
}

}  // namespace

StatusOr<Shape> MatMulShape(const Shape& a, const Shape& b, bool transpose_a, bool transpose_b) {
  if (a.rank() == 0 || b.rank() == 0) {
    return InvalidArgument("matmul operands need rank >= 1, got a " + a.ToString() + " and b " +
                           b.ToString());
  }
  std::vector<Dim> ad = a.dims();
  std::vector<Dim> bd = b.dims();
  const bool a_vector = ad.size() == 1;
  const bool b_vector = bd.size() == 1;
  if (a_vector) {
    ad.insert(ad.begin(), Dim(1));
  } else if (transpose_a) {
    std::swap(ad[ad.size() - 1], ad[ad.size() - 2]);
  }
  if (b_vector) {
    bd.push_back(Dim(1));
  } else if (transpose_b) {
    std::swap(bd[bd.size() - 1], bd[bd.size() - 2]);
  }
  const Dim& ka = ad[ad.size() - 1];
  const Dim& kb = bd[bd.size() - 2];
  if (ka.is_static() && kb.is_static() && ka.value() != kb.value()) {
    return InvalidArgument("inner dims " + ka.ToString() + " and " + kb.ToString() + " differ (a " +
                           a.ToString() + (transpose_a ? " transposed" : "") + ", b " +
                           b.ToString() + (transpose_b ? " transposed" : "") + ")");
  }
  auto batch = BroadcastShapes(Shape(Suffix(ad, 2)), Shape(Suffix(bd, 2)));
  if (!batch.ok()) return batch.status().WithContext("matmul batch dims");
  std::vector<Dim> out = batch->dims();
  if (!a_vector) out.push_back(ad[ad.size() - 2]);
  if (!b_vector) out.push_back(bd[bd.size() - 1]);
  return Shape(std::move(out));
}

StatusOr<MatMulPlan> PlanMatMul(const std::vector<int64_t>& a_dims,
                                const std::vector<int64_t>& b_dims, bool transpose_a,
                                bool transpose_b) {
  HETERO_ASSIGN_OR_RETURN(
      Shape out,
      MatMulShape(Shape::FromStatic(a_dims), Shape::FromStatic(b_dims), transpose_a, transpose_b));
  MatMulPlan plan;
  plan.out_dims = *out.StaticDims();
  // Matrix views: a 1-D a is [1,K], a 1-D b is [K,1]; their flags do not apply.
  std::vector<int64_t> ad = a_dims;
  std::vector<int64_t> bd = b_dims;
  if (ad.size() == 1) ad.insert(ad.begin(), 1);
  if (bd.size() == 1) bd.push_back(1);
  plan.transpose_a = transpose_a && a_dims.size() >= 2;
  plan.transpose_b = transpose_b && b_dims.size() >= 2;
  const size_t ra = ad.size();
  const size_t rb = bd.size();
  plan.m = plan.transpose_a ? ad[ra - 1] : ad[ra - 2];
  plan.k = plan.transpose_a ? ad[ra - 2] : ad[ra - 1];
  plan.n = plan.transpose_b ? bd[rb - 2] : bd[rb - 1];
  const std::vector<int64_t> a_batch(ad.begin(), ad.end() - 2);
  const std::vector<int64_t> b_batch(bd.begin(), bd.end() - 2);
  HETERO_ASSIGN_OR_RETURN(std::vector<int64_t> batch, BroadcastDims(a_batch, b_batch));
  const int64_t a_matrix = plan.m * plan.k;
  const int64_t b_matrix = plan.k * plan.n;
  for (BroadcastIter it(batch,
                        {BroadcastStrides(a_batch, batch), BroadcastStrides(b_batch, batch)});
       !it.done(); it.Next()) {
    plan.a_offsets.push_back(it.offset(0) * a_matrix);
    plan.b_offsets.push_back(it.offset(1) * b_matrix);
  }
  return plan;
}

void MatMulF32(const MatMulPlan& plan, const float* a, const float* b, float* out) {
  std::vector<float> bt;  // b's matrix transposed to [k,n] when transpose_b
  int64_t bt_offset = -1;
  for (size_t i = 0; i < plan.a_offsets.size(); ++i) {
    const float* bm = b + plan.b_offsets[i];
    if (plan.transpose_b) {
      if (bt_offset != plan.b_offsets[i]) {  // a broadcast b is transposed once
        bt.resize(static_cast<size_t>(plan.k * plan.n));
        TransposeF32(bm, plan.n, plan.k, bt.data());
        bt_offset = plan.b_offsets[i];
      }
      bm = bt.data();
    }
    GemmF32(a + plan.a_offsets[i], plan.transpose_a, bm,
            out + static_cast<int64_t>(i) * plan.m * plan.n, plan.m, plan.n, plan.k);
  }
}

void MatMulI64(const MatMulPlan& plan, const int64_t* a, const int64_t* b, int64_t* out) {
  const int64_t m = plan.m, n = plan.n, k = plan.k;
  for (size_t bi = 0; bi < plan.a_offsets.size(); ++bi) {
    const int64_t* am = a + plan.a_offsets[bi];
    const int64_t* bm = b + plan.b_offsets[bi];
    int64_t* om = out + static_cast<int64_t>(bi) * m * n;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        uint64_t acc = 0;  // unsigned: overflow wraps instead of being undefined
        for (int64_t kk = 0; kk < k; ++kk) {
          const int64_t x = plan.transpose_a ? am[kk * m + i] : am[i * k + kk];
          const int64_t y = plan.transpose_b ? bm[j * k + kk] : bm[kk * n + j];
          acc += static_cast<uint64_t>(x) * static_cast<uint64_t>(y);
        }
        om[i * n + j] = static_cast<int64_t>(acc);
      }
    }
  }
}

std::vector<float> ToF32(const Tensor& t) {
  std::vector<float> out(static_cast<size_t>(t.num_elements()));
  if (t.dtype() == DType::kF32) {
    if (!out.empty()) std::memcpy(out.data(), t.raw(), t.byte_size());
    return out;
  }
  for (int64_t i = 0; i < t.num_elements(); ++i) out[i] = static_cast<float>(t.GetDouble(i));
  return out;
}

std::vector<int64_t> ToI64(const Tensor& t) {
  std::vector<int64_t> out(static_cast<size_t>(t.num_elements()));
  for (int64_t i = 0; i < t.num_elements(); ++i) out[i] = t.GetInt64(i);
  return out;
}

void StoreF32(const float* values, Tensor& out) {
  if (out.dtype() == DType::kF32) {
    if (out.byte_size() > 0) std::memcpy(out.mutable_raw(), values, out.byte_size());
    return;
  }
  for (int64_t i = 0; i < out.num_elements(); ++i) out.SetDouble(i, values[i]);
}

Status CheckOutputDims(std::string_view op, const Tensor& out, const std::vector<int64_t>& dims) {
  if (out.dims() == dims) return OkStatus();
  return InvalidArgument(std::string(op) + ": output was allocated as " +
                         out.type().shape.ToString() + ", expected " +
                         Shape::FromStatic(dims).ToString());
}

StatusOr<float (*)(float)> ActivationByName(std::string_view name) {
  if (name == "none") return &Identity;
  if (name == "relu") return &Relu;
  if (name == "gelu") return &Gelu;
  if (name == "gelu_tanh") return &GeluTanh;
  if (name == "silu") return &Silu;
  return InvalidArgument("unknown activation '" + std::string(name) +
                         "' (expected none, relu, gelu, gelu_tanh or silu)");
}

Status MatMul(const KernelContext& ctx) {
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  Tensor& out = *ctx.outputs[0];
  HETERO_ASSIGN_OR_RETURN(MatMulPlan plan,
                          PlanMatMul(a.dims(), b.dims(), ctx.attrs.GetInt("transpose_a", 0) != 0,
                                     ctx.attrs.GetInt("transpose_b", 0) != 0));
  HETERO_RETURN_IF_ERROR(CheckOutputDims("MatMul", out, plan.out_dims));
  if (a.dtype() != b.dtype() || out.dtype() != a.dtype()) {
    return InvalidArgument("MatMul: a, b and output dtypes differ");
  }
  if (IsFloat(a.dtype())) {
    if (a.dtype() == DType::kF32) {
      MatMulF32(plan, a.data<float>(), b.data<float>(), out.mutable_data<float>());
      return OkStatus();
    }
    StoreF32(FloatMatMul(plan, a, b).data(), out);
    return OkStatus();
  }
  if (!IsInteger(a.dtype())) {
    return InvalidArgument("MatMul: unsupported dtype " + std::string(DTypeName(a.dtype())));
  }
  const std::vector<int64_t> ia = ToI64(a);
  const std::vector<int64_t> ib = ToI64(b);
  std::vector<int64_t> result(static_cast<size_t>(out.num_elements()));
  MatMulI64(plan, ia.data(), ib.data(), result.data());
  for (int64_t i = 0; i < out.num_elements(); ++i) out.SetInt64(i, result[i]);
  return OkStatus();
}

Status FusedMatMul(const KernelContext& ctx) {
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  const Tensor* bias = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  Tensor& out = *ctx.outputs[0];
  HETERO_ASSIGN_OR_RETURN(MatMulPlan plan,
                          PlanMatMul(a.dims(), b.dims(), ctx.attrs.GetInt("transpose_a", 0) != 0,
                                     ctx.attrs.GetInt("transpose_b", 0) != 0));
  HETERO_RETURN_IF_ERROR(CheckOutputDims("FusedMatMul", out, plan.out_dims));
  HETERO_ASSIGN_OR_RETURN(float (*activation)(float),
                          ActivationByName(ctx.attrs.GetString("activation", "none")));
  if (!IsFloat(a.dtype()) || a.dtype() != b.dtype() || out.dtype() != a.dtype()) {
    return InvalidArgument("FusedMatMul: a, b and output must share one float dtype");
  }
  std::vector<float> result = FloatMatMul(plan, a, b);
  if (bias != nullptr) {
    auto dims = BroadcastDims(plan.out_dims, bias->dims());
    if (!dims.ok() || *dims != plan.out_dims) {
      return InvalidArgument("FusedMatMul: bias " + bias->type().shape.ToString() +
                             " does not broadcast to the output " +
                             Shape::FromStatic(plan.out_dims).ToString());
    }
    const std::vector<float> fbias = ToF32(*bias);
    for (BroadcastIter it(*dims, {BroadcastStrides(bias->dims(), *dims)}); !it.done(); it.Next()) {
      result[it.linear()] += fbias[it.offset(0)];
    }
  }
  for (float& x : result) x = activation(x);
  StoreF32(result.data(), out);
  return OkStatus();
}

}  // namespace hetero::ops::reference
