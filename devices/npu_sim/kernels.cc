// Fast f32 kernels of the functional run: a register-blocked GEMM over packed panels,
// attention split per (batch, head) onto the reference kernel, bulk rounding.
#include "devices/npu_sim/kernels.h"

#include <algorithm>
#include <cstring>

#include "ops/reference/fused.h"
#include "ops/reference/matmul.h"

namespace hetero::npu_sim {
namespace {

constexpr int64_t kRows = 6;  // rows of a per micro-tile: 12 accumulators of 8 floats

typedef float Vec8 __attribute__((vector_size(32)));

// acc[kRows][16] = sum over k of a_rows[r][kk] * panel[kk][0..16), in ascending k.
__attribute__((target_clones("fma", "default"))) void MicroTile(const float* const* a_rows,
                                                                const float* panel, int64_t k,
                                                                float* acc) {
  Vec8 c[kRows][2] = {};
  for (int64_t kk = 0; kk < k; ++kk) {
    Vec8 b0, b1;
    std::memcpy(&b0, panel + kk * kPanelWidth, sizeof(b0));
    std::memcpy(&b1, panel + kk * kPanelWidth + 8, sizeof(b1));
    for (int64_t r = 0; r < kRows; ++r) {
      const float a = a_rows[r][kk];
      c[r][0] += a * b0;
      c[r][1] += a * b1;
    }
  }
  for (int64_t r = 0; r < kRows; ++r) {
    std::memcpy(acc + r * kPanelWidth, &c[r][0], sizeof(Vec8));
    std::memcpy(acc + r * kPanelWidth + 8, &c[r][1], sizeof(Vec8));
  }
}

// FloatToBFloat16 then back, branch-free so that it vectorizes: round to nearest even,
// a NaN keeps its top bits and becomes quiet.
void RoundBFloat16(float* data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, &data[i], sizeof(u));
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
    const uint32_t nan = (u | 0x400000u) & 0xffff0000u;
    u = (u & 0x7fffffffu) > 0x7f800000u ? nan : rounded;
    std::memcpy(&data[i], &u, sizeof(u));
  }
}

void RunParallel(int64_t count, const ParallelFor& parallel_for,
                 const std::function<void(int64_t, int64_t)>& fn) {
  if (count <= 0) return;
  if (parallel_for && count > 1) {
    parallel_for(count, fn);
  } else {
    fn(0, count);
  }
}

// Panels [p0, p1) of c for every row of a.
void GemmPanels(const float* a, int64_t m, const PackedMatrix& b, const float* bias,
                float (*activation)(float), float* c, int64_t p0, int64_t p1) {
  float acc[kRows * kPanelWidth];
  const float* rows[kRows];
  for (int64_t p = p0; p < p1; ++p) {
    const float* panel = b.data.data() + p * b.k * kPanelWidth;
    const int64_t col0 = p * kPanelWidth;
    const int64_t cols = std::min(kPanelWidth, b.n - col0);
    for (int64_t i = 0; i < m; i += kRows) {
      const int64_t live = std::min(kRows, m - i);
      for (int64_t r = 0; r < kRows; ++r) rows[r] = a + (i + std::min(r, live - 1)) * b.k;
      MicroTile(rows, panel, b.k, acc);
      for (int64_t r = 0; r < live; ++r) {
        float* out = c + (i + r) * b.n + col0;
        for (int64_t j = 0; j < cols; ++j) {
          float x = acc[r * kPanelWidth + j];
          if (bias != nullptr) x += bias[col0 + j];
          out[j] = activation != nullptr ? activation(x) : x;
        }
      }
    }
  }
}

// Attention as one reference call per (batch, query head): each call sees a [1,1,S,D]
// slice of q and its KV head's k and v, and the matching slice of the mask.
StatusOr<bool> FastAttention(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                             const ParallelFor& parallel_for) {
  const Tensor& q = *ctx.inputs[0];
  const Tensor& k = *ctx.inputs[1];
  const Tensor& v = *ctx.inputs[2];
  const Tensor* mask = ctx.inputs.size() > 3 ? ctx.inputs[3] : nullptr;
  Tensor& out = *ctx.outputs[0];
  for (const Tensor* t : {&q, &k, &v, static_cast<const Tensor*>(&out)}) {
    if (t->dtype() != DType::kF32 || t->rank() != 4) return false;
  }
  if (mask != nullptr && (mask->rank() > 4 || mask->rank() < 1)) return false;
  const int64_t batch = q.dims()[0], heads = q.dims()[1], kv_heads = k.dims()[1];
  if (batch * heads < 2 || kv_heads <= 0 || heads % kv_heads != 0 || k.dims()[0] != batch ||
      v.dims()[0] != batch || v.dims()[1] != kv_heads || out.dims()[0] != batch ||
      out.dims()[1] != heads) {
    return false;
  }
  std::vector<int64_t> mdims(4, 1);
  if (mask != nullptr) {
    std::copy(mask->dims().begin(), mask->dims().end(), mdims.end() - mask->rank());
    if ((mdims[0] != 1 && mdims[0] != batch) || (mdims[1] != 1 && mdims[1] != heads)) return false;
  }
  const int64_t group = heads / kv_heads;
  const auto slice = [](const Tensor& t, int64_t index) {
    std::vector<int64_t> dims = t.dims();
    const int64_t inner = t.num_elements() / std::max<int64_t>(1, dims[0] * dims[1]);
    dims[0] = dims[1] = 1;
    return Tensor::Borrow(t.dtype(), dims,
                          static_cast<const char*>(t.raw()) +
                              index * inner * static_cast<int64_t>(DTypeSize(t.dtype())),
                          nullptr);
  };
  std::vector<Status> status(static_cast<size_t>(batch * heads));
  RunParallel(batch * heads, parallel_for, [&](int64_t begin, int64_t end) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / heads, h = bh % heads;
      Tensor qs = slice(q, bh), ks = slice(k, b * kv_heads + h / group);
      Tensor vs = slice(v, b * kv_heads + h / group), os = slice(out, bh);
      std::vector<const Tensor*> ins = {&qs, &ks, &vs};
      Tensor ms;
      if (mask != nullptr) {
        const int64_t mb = mdims[0] == 1 ? 0 : b, mh = mdims[1] == 1 ? 0 : h;
        const int64_t inner = mdims[2] * mdims[3];
        std::vector<int64_t> dims = {1, 1, mdims[2], mdims[3]};
        ms = Tensor::Borrow(
            mask->dtype(), dims,
            static_cast<const char*>(mask->raw()) +
                (mb * mdims[1] + mh) * inner * static_cast<int64_t>(DTypeSize(mask->dtype())),
            nullptr);
        ins.push_back(&ms);
      }
      Tensor* outs[1] = {&os};
      ops::KernelContext sub{ins, outs, ctx.attrs};
      status[static_cast<size_t>(bh)] = schema.reference(sub);
    }
  });
  for (const Status& s : status) HETERO_RETURN_IF_ERROR(s);
  return true;
}

StatusOr<bool> FastMatMul(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                          const PackedMatrix& packed_b, const ParallelFor& parallel_for) {
  const Tensor& a = *ctx.inputs[0];
  Tensor& out = *ctx.outputs[0];
  if (a.dtype() != DType::kF32 || out.dtype() != DType::kF32 || a.rank() < 2 ||
      ctx.attrs.GetInt("transpose_a", 0) != 0 || a.dims().back() != packed_b.k ||
      out.dims().back() != packed_b.n) {
    return false;
  }
  const int64_t m = a.num_elements() / packed_b.k;
  if (out.num_elements() != m * packed_b.n) return false;
  const float* bias = nullptr;
  float (*activation)(float) = nullptr;
  if (schema.name == "FusedMatMul") {
    const Tensor* b = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
    if (b != nullptr) {
      if (b->dtype() != DType::kF32 || b->num_elements() != packed_b.n) return false;
      if (b->rank() > 0 && b->dims().back() != packed_b.n) return false;
      bias = b->data<float>();
    }
    const std::string act = ctx.attrs.GetString("activation", "none");
    if (act != "none") {
      HETERO_ASSIGN_OR_RETURN(activation, ops::reference::ActivationByName(act));
    }
  }
  GemmPacked(a.data<float>(), m, packed_b, bias, activation, out.mutable_data<float>(),
             parallel_for);
  return true;
}

}  // namespace

std::shared_ptr<const PackedMatrix> PackMatrix(const float* b, int64_t k, int64_t n,
                                               bool transposed, DType format) {
  auto packed = std::make_shared<PackedMatrix>();
  packed->k = k;
  packed->n = n;
  const int64_t panels = (n + kPanelWidth - 1) / kPanelWidth;
  packed->data.assign(static_cast<size_t>(panels * k * kPanelWidth), 0.0f);
  for (int64_t p = 0; p < panels; ++p) {
    float* panel = packed->data.data() + p * k * kPanelWidth;
    for (int64_t kk = 0; kk < k; ++kk) {
      for (int64_t j = 0; j < kPanelWidth && p * kPanelWidth + j < n; ++j) {
        const int64_t col = p * kPanelWidth + j;
        panel[kk * kPanelWidth + j] = transposed ? b[col * k + kk] : b[kk * n + col];
      }
    }
  }
  RoundFloats(packed->data.data(), static_cast<int64_t>(packed->data.size()), format, {});
  return packed;
}

void GemmPacked(const float* a, int64_t m, const PackedMatrix& b, const float* bias,
                float (*activation)(float), float* c, const ParallelFor& parallel_for) {
  const int64_t panels = (b.n + kPanelWidth - 1) / kPanelWidth;
  // Small products run inline: dispatching costs more than they do.
  const bool small = m * b.n * b.k < (int64_t{1} << 18);
  RunParallel(panels, small ? ParallelFor() : parallel_for,
              [&](int64_t p0, int64_t p1) { GemmPanels(a, m, b, bias, activation, c, p0, p1); });
}

StatusOr<bool> TryFastNode(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                           const PackedMatrix* packed_b, const ParallelFor& parallel_for) {
  if (ctx.outputs.size() != 1 || ctx.inputs.size() < 2) return false;
  if (schema.name == "Attention") {
    if (ctx.inputs.size() < 3 || ctx.inputs[0] == nullptr || ctx.inputs[1] == nullptr ||
        ctx.inputs[2] == nullptr) {
      return false;
    }
    return FastAttention(schema, ctx, parallel_for);
  }
  if (packed_b == nullptr || ctx.inputs[0] == nullptr) return false;
  if (schema.name != "MatMul" && schema.name != "FusedMatMul") return false;
  return FastMatMul(schema, ctx, *packed_b, parallel_for);
}

void RoundFloats(float* data, int64_t n, DType format, const ParallelFor& parallel_for) {
  if (format != DType::kBF16 && format != DType::kF16 && format != DType::kF8E4M3) return;
  constexpr int64_t kChunk = 1 << 14;
  RunParallel((n + kChunk - 1) / kChunk, n > 4 * kChunk ? parallel_for : ParallelFor(),
              [&](int64_t c0, int64_t c1) {
                const int64_t begin = c0 * kChunk, end = std::min(n, c1 * kChunk);
                if (format == DType::kBF16) {
                  RoundBFloat16(data + begin, end - begin);
                  return;
                }
                for (int64_t i = begin; i < end; ++i) {
                  data[i] = format == DType::kF16 ? HalfToFloat(FloatToHalf(data[i]))
                                                  : F8E4M3ToFloat(FloatToF8E4M3(data[i], true));
                }
              });
}

}  // namespace hetero::npu_sim
