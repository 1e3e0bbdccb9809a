// Reference kernels of the fused ops: naive attention in double, Rope, SwiGLU, KV append.
#include "ops/reference/fused.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "ops/broadcast.h"
#include "ops/reference/matmul.h"

namespace hetero::ops::reference {

namespace {

struct AttentionDims {
  int64_t batch, q_heads, kv_heads, q_len, kv_len, head_dim, v_dim;
};

std::string DimsText(const Tensor& t) { return t.type().ToString(); }

StatusOr<AttentionDims> CheckAttention(const Tensor& q, const Tensor& k, const Tensor& v) {
  const std::string all = "q " + DimsText(q) + ", k " + DimsText(k) + ", v " + DimsText(v);
  if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
    return InvalidArgument("Attention: q, k and v must have rank 4, got " + all);
  }
  AttentionDims d{q.dim(0), q.dim(1), k.dim(1), q.dim(2), k.dim(2), q.dim(3), v.dim(3)};
  const bool ok = k.dim(0) == d.batch && v.dim(0) == d.batch && v.dim(1) == d.kv_heads &&
                  v.dim(2) == d.kv_len && k.dim(3) == d.head_dim && d.kv_heads > 0 &&
                  d.q_heads % d.kv_heads == 0;
  if (!ok) return InvalidArgument("Attention: inconsistent dims: " + all);
  if (k.dtype() != q.dtype() || v.dtype() != q.dtype() || !IsFloat(q.dtype())) {
    return InvalidArgument("Attention: q, k and v must share one float dtype: " + all);
  }
  return d;
}

// The mask's strides over [B,Hq,Sq,Skv]; fails unless it broadcasts there.
StatusOr<std::vector<int64_t>> MaskStrides(const Tensor& mask, const std::vector<int64_t>& full) {
  auto dims = BroadcastDims(mask.dims(), full);
  if (!dims.ok() || *dims != full) {
    return InvalidArgument("Attention: mask " + DimsText(mask) + " does not broadcast to " +
                           Shape::FromStatic(full).ToString());
  }
  if (mask.dtype() != DType::kBool && !IsFloat(mask.dtype())) {
    return InvalidArgument("Attention: mask is " + DimsText(mask) + ", expected bool or float");
  }
  return BroadcastStrides(mask.dims(), full);
}

// softmax(scores) · v for one query row; all -inf scores give a zero row.
void WeightedSum(std::vector<double>& scores, const float* v, int64_t v_dim, float* out) {
  double max = -std::numeric_limits<double>::infinity();
  for (double s : scores) max = std::max(max, s);
  std::fill(out, out + v_dim, 0.0f);
  if (max == -std::numeric_limits<double>::infinity()) return;
  double sum = 0;
  for (double& s : scores) sum += (s = std::exp(s - max));
  std::vector<double> acc(static_cast<size_t>(v_dim), 0.0);
  for (size_t j = 0; j < scores.size(); ++j) {
    const double p = scores[j] / sum;
    for (int64_t c = 0; c < v_dim; ++c) acc[c] += p * v[static_cast<int64_t>(j) * v_dim + c];
  }
  for (int64_t c = 0; c < v_dim; ++c) out[c] = static_cast<float>(acc[c]);
}

}  // namespace

Status Attention(const KernelContext& ctx) {
  const Tensor& q = *ctx.inputs[0];
  const Tensor& k = *ctx.inputs[1];
  const Tensor& v = *ctx.inputs[2];
  const Tensor* mask = ctx.inputs.size() > 3 ? ctx.inputs[3] : nullptr;
  HETERO_ASSIGN_OR_RETURN(AttentionDims d, CheckAttention(q, k, v));
  const std::vector<int64_t> full = {d.batch, d.q_heads, d.q_len, d.kv_len};
  std::vector<int64_t> ms(4, 0);
  if (mask != nullptr) {
    HETERO_ASSIGN_OR_RETURN(ms, MaskStrides(*mask, full));
  }
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOutputDims("Attention", out, {d.batch, d.q_heads, d.q_len, d.v_dim}));
  const bool causal = ctx.attrs.GetInt("causal", 0) != 0;
  double scale = ctx.attrs.GetFloat("scale", 0.0);
  if (scale == 0.0) scale = d.head_dim > 0 ? 1.0 / std::sqrt(static_cast<double>(d.head_dim)) : 1.0;
  const std::vector<float> qf = ToF32(q), kf = ToF32(k), vf = ToF32(v);
  const std::vector<float> mf =
      mask && mask->dtype() != DType::kBool ? ToF32(*mask) : std::vector<float>();
  const uint8_t* mb = mask && mask->dtype() == DType::kBool ? mask->data<uint8_t>() : nullptr;
  std::vector<float> result(static_cast<size_t>(out.num_elements()));
  std::vector<double> scores(static_cast<size_t>(d.kv_len));
  const int64_t group = d.q_heads / d.kv_heads;
  for (int64_t b = 0; b < d.batch; ++b) {
    for (int64_t h = 0; h < d.q_heads; ++h) {
      const int64_t kvh = (b * d.kv_heads + h / group) * d.kv_len;  // first key row
      for (int64_t i = 0; i < d.q_len; ++i) {
        const float* qrow = &qf[((b * d.q_heads + h) * d.q_len + i) * d.head_dim];
        for (int64_t j = 0; j < d.kv_len; ++j) {
          const int64_t m = b * ms[0] + h * ms[1] + i * ms[2] + j * ms[3];
          double& s = scores[j];
          s = -std::numeric_limits<double>::infinity();
          if ((causal && j > i + d.kv_len - d.q_len) || (mb != nullptr && mb[m] == 0)) continue;
          const float* krow = &kf[(kvh + j) * d.head_dim];
          double dot = 0;
          for (int64_t c = 0; c < d.head_dim; ++c) dot += double{qrow[c]} * krow[c];
          s = dot * scale + (mf.empty() ? 0.0 : double{mf[m]});
        }
        WeightedSum(scores, &vf[kvh * d.v_dim], d.v_dim,
                    &result[((b * d.q_heads + h) * d.q_len + i) * d.v_dim]);
      }
    }
  }
  StoreF32(result.data(), out);
  return OkStatus();
}

Status Rope(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const Tensor& cos = *ctx.inputs[1];
  const Tensor& sin = *ctx.inputs[2];
  Tensor& out = *ctx.outputs[0];
  if (x.rank() == 0 || x.dims().back() % 2 != 0) {
    return InvalidArgument("Rope: x " + DimsText(x) + " needs an even last dim");
  }
  for (const Tensor* t : {&cos, &sin}) {
    auto dims = BroadcastDims(t->dims(), x.dims());
    if (!dims.ok() || *dims != x.dims()) {
      return InvalidArgument("Rope: " + DimsText(*t) + " does not broadcast to x " + DimsText(x));
    }
  }
  HETERO_RETURN_IF_ERROR(CheckOutputDims("Rope", out, x.dims()));
  const std::vector<float> xf = ToF32(x), cf = ToF32(cos), sf = ToF32(sin);
  std::vector<float> result(xf.size());
  const int64_t dim = x.dims().back(), half = dim / 2;
  std::vector<int64_t> cs = BroadcastStrides(cos.dims(), x.dims());
  std::vector<int64_t> ss = BroadcastStrides(sin.dims(), x.dims());
  const int64_t c_step = cs.back(), s_step = ss.back();
  cs.pop_back();
  ss.pop_back();
  const std::vector<int64_t> rows(x.dims().begin(), x.dims().end() - 1);
  for (BroadcastIter it(rows, {cs, ss}); !it.done() && dim > 0; it.Next()) {
    const float* xr = &xf[it.linear() * dim];
    for (int64_t c = 0; c < dim; ++c) {
      const double rotated = c < half ? -double{xr[c + half]} : double{xr[c - half]};
      result[it.linear() * dim + c] = static_cast<float>(
          double{xr[c]} * cf[it.offset(0) + c * c_step] + rotated * sf[it.offset(1) + c * s_step]);
    }
  }
  StoreF32(result.data(), out);
  return OkStatus();
}

Status SwiGLU(const KernelContext& ctx) {
  const Tensor& gate = *ctx.inputs[0];
  const Tensor& up = *ctx.inputs[1];
  Tensor& out = *ctx.outputs[0];
  auto dims = BroadcastDims(gate.dims(), up.dims());
  if (!dims.ok()) return dims.status().WithContext("SwiGLU");
  HETERO_RETURN_IF_ERROR(CheckOutputDims("SwiGLU", out, *dims));
  const std::vector<float> g = ToF32(gate), u = ToF32(up);
  std::vector<float> result(static_cast<size_t>(out.num_elements()));
  for (BroadcastIter it(*dims,
                        {BroadcastStrides(gate.dims(), *dims), BroadcastStrides(up.dims(), *dims)});
       !it.done(); it.Next()) {
    const double x = g[it.offset(0)];
    result[it.linear()] = static_cast<float>(x / (1.0 + std::exp(-x)) * u[it.offset(1)]);
  }
  StoreF32(result.data(), out);
  return OkStatus();
}

Status KvCacheAppend(const KernelContext& ctx) {
  const Tensor& cache = *ctx.inputs[0];
  const Tensor& update = *ctx.inputs[1];
  const Tensor& position = *ctx.inputs[2];
  Tensor& out = *ctx.outputs[0];
  const std::string all = "cache " + DimsText(cache) + ", update " + DimsText(update);
  if (cache.rank() != 4 || update.rank() != 4 || cache.dtype() != update.dtype() ||
      cache.dim(0) != update.dim(0) || cache.dim(1) != update.dim(1) ||
      cache.dim(3) != update.dim(3)) {
    return InvalidArgument("KvCacheAppend: inconsistent " + all);
  }
  if (position.num_elements() != 1 || !IsInteger(position.dtype())) {
    return InvalidArgument("KvCacheAppend: position must be an integer scalar, got " +
                           DimsText(position));
  }
  HETERO_RETURN_IF_ERROR(CheckOutputDims("KvCacheAppend", out, cache.dims()));
  const int64_t pos = position.GetInt64(0);
  const int64_t rows = update.dim(2), capacity = cache.dim(2);
  if (pos < 0 || rows > capacity || pos > capacity - rows) {
    return OutOfRange("KvCacheAppend: rows [" + std::to_string(pos) + ", " +
                      std::to_string(pos + rows) + ") do not fit a cache of " +
                      std::to_string(capacity) + " positions (" + all + ")");
  }
  if (cache.byte_size() > 0) std::memcpy(out.mutable_raw(), cache.raw(), cache.byte_size());
  const size_t row_bytes = static_cast<size_t>(cache.dim(3)) * DTypeSize(cache.dtype());
  const int64_t heads = cache.dim(0) * cache.dim(1);
  for (int64_t bh = 0; bh < heads; ++bh) {
    std::memcpy(static_cast<uint8_t*>(out.mutable_raw()) + (bh * capacity + pos) * row_bytes,
                static_cast<const uint8_t*>(update.raw()) + bh * rows * row_bytes,
                static_cast<size_t>(rows) * row_bytes);
  }
  return OkStatus();
}

}  // namespace hetero::ops::reference
