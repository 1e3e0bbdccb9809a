// Attention without a full score matrix: per (batch, KV head), K and V packed once, then
// blocks of query rows against blocks of keys on the GEMM with an online softmax
// (running max and sum per row), so memory grows with the block, not with Sq x Skv.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <new>
#include <vector>

#include "devices/cpu/kernels/fast_ops.h"

namespace hetero::cpu {
namespace {

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kKeyBlock = 256;  // a multiple of kGemmNr
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Dims {
  int64_t batch, q_heads, kv_heads, q_len, kv_len, head_dim, v_dim;
};

struct Problem {
  Dims d;
  const float* q;
  const float* k;
  const float* v;
  const float* mask_f32 = nullptr;
  const uint8_t* mask_bool = nullptr;
  int64_t ms[4] = {0, 0, 0, 0};  // mask strides over [B, Hq, Sq, Skv], 0 where broadcast
  bool causal = false;
  float scale = 1.0f;
  float* out;
};

// Scores of one query-block x key-block: scale, mask and causality applied (-inf where
// a key is not seen), in place in s (rows x keys, keys apart); each row's largest score
// into row_max. The common forms (no mask, or an f32 mask contiguous along keys) take one
// pass per row on the path's vector kernel.
void MaskScores(const KernelTable& kt, const Problem& p, int64_t b, int64_t h, int64_t q0,
                int64_t rows, int64_t k0, int64_t keys, float* s, float* row_max) {
  const int64_t shift = p.d.kv_len - p.d.q_len;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = s + r * keys;
    const int64_t i = q0 + r;
    const int64_t base = b * p.ms[0] + h * p.ms[1] + i * p.ms[2] + k0 * p.ms[3];
    const float* add = p.mask_f32 != nullptr && p.ms[3] == 1 ? p.mask_f32 + base : nullptr;
    row_max[r] = kt.scale_add_max(row, p.scale, add, row, keys);
    const bool strided = p.mask_f32 != nullptr && p.ms[3] != 1;
    if (!strided && p.mask_bool == nullptr && !p.causal) continue;
    if (strided) {
      for (int64_t j = 0; j < keys; ++j) row[j] += p.mask_f32[base + j * p.ms[3]];
    }
    if (p.mask_bool != nullptr) {
      for (int64_t j = 0; j < keys; ++j) {
        if (p.mask_bool[base + j * p.ms[3]] == 0) row[j] = kNegInf;
      }
    }
    if (p.causal) {  // keys past i + shift are not seen
      for (int64_t j = std::max<int64_t>(0, i + shift + 1 - k0); j < keys; ++j) row[j] = kNegInf;
    }
    row_max[r] = kt.row_max(row, keys);
  }
}

// A thread's working memory for one (batch, KV head) at a time: keys and values packed,
// and the query block's softmax state. Kept between heads and runs on the thread, so a
// head allocates nothing once the thread has seen a head as large.
struct HeadScratch {
  PackedWeights keys;    // K^T: [head_dim, kv_len]
  PackedWeights values;  // V: [kv_len, v_dim]
  std::vector<float> max, sum, block_max, scores;
};
thread_local HeadScratch tls_head;

// One query block of head h against every key block (packed in st), online softmax;
// writes out rows. False when the GEMM found no memory.
bool QueryBlock(const KernelTable& kt, const Problem& p, int64_t b, int64_t h, int64_t q0,
                int64_t rows, HeadScratch& st) {
  const PackedWeights& kt_packed = st.keys;
  const PackedWeights& v_packed = st.values;
  const Dims& d = p.d;
  const float* q = p.q + ((b * d.q_heads + h) * d.q_len + q0) * d.head_dim;
  float* out = p.out + ((b * d.q_heads + h) * d.q_len + q0) * d.v_dim;
  // Causal: keys past the block's last row (q0 + rows - 1 + shift) are seen by no row of
  // it, so they are not computed at all (about half the work of a causal prefill).
  const int64_t kv_end = p.causal ? std::min(d.kv_len, q0 + rows + (d.kv_len - d.q_len)) : d.kv_len;
  if (kv_end <= 0) {  // no row sees a key: zeros, as for rows a mask hides everything from
    std::fill_n(out, rows * d.v_dim, 0.0f);
    return true;
  }
  std::fill_n(st.max.begin(), rows, kNegInf);
  std::fill_n(st.sum.begin(), rows, 0.0f);
  for (int64_t k0 = 0; k0 < kv_end; k0 += kKeyBlock) {
    const int64_t keys = std::min(kKeyBlock, kv_end - k0);
    const int64_t panel0 = k0 / kGemmNr;
    const int64_t panels = (keys + kGemmNr - 1) / kGemmNr;
    PackedMatrix key_block = kt_packed.Sub(0, d.head_dim, panel0, panels);
    key_block.n = keys;  // the block may end inside a panel
    GemmArgs qk{q, rows, d.head_dim, key_block, nullptr, Activation::kNone, st.scores.data(), keys};
    if (!Gemm(kt, qk, nullptr).ok()) return false;  // serial inside this task
    MaskScores(kt, p, b, h, q0, rows, k0, keys, st.scores.data(), st.block_max.data());
    for (int64_t r = 0; r < rows; ++r) {
      float* s = st.scores.data() + r * keys;
      const float new_max = std::max(st.max[r], st.block_max[r]);
      if (new_max == kNegInf) {  // nothing seen yet: weights all 0
        std::fill_n(s, keys, 0.0f);
        continue;
      }
      const float rescale = st.max[r] == kNegInf ? 0.0f : std::exp(st.max[r] - new_max);
      st.sum[r] = st.sum[r] * rescale + kt.exp_sum(s, new_max, s, keys);
      if (k0 > 0 && rescale != 1.0f) {
        kt.scale(out + r * d.v_dim, rescale, out + r * d.v_dim, d.v_dim);
      }
      st.max[r] = new_max;
    }
    // The first key block's products go straight to the output; later ones add to it.
    GemmArgs pv{
        st.scores.data(),  rows, keys,   v_packed.Sub(k0, keys, 0, v_packed.panels), nullptr,
        Activation::kNone, out,  d.v_dim};
    pv.accumulate = k0 > 0;
    if (!Gemm(kt, pv, nullptr).ok()) return false;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float inv = st.sum[r] > 0.0f ? 1.0f / st.sum[r] : 0.0f;  // no key seen: zeros
    kt.scale(out + r * d.v_dim, inv, out + r * d.v_dim, d.v_dim);
  }
  return true;
}

// Every query head of KV head (b, g): K^T and V packed once for all of them.
bool KvHead(const KernelTable& kt, const Problem& p, int64_t b, int64_t g) {
  const Dims& d = p.d;
  const int64_t kv = b * d.kv_heads + g;
  HeadScratch& st = tls_head;
  const int64_t block = std::min(kQueryBlock, d.q_len);
  try {
    PackWeightsInto(p.k + kv * d.kv_len * d.head_dim, d.head_dim, d.kv_len, d.head_dim,
                    /*transposed=*/true, &st.keys);
    PackWeightsInto(p.v + kv * d.kv_len * d.v_dim, d.kv_len, d.v_dim, d.v_dim, false, &st.values);
    st.max.resize(block);
    st.sum.resize(block);
    st.block_max.resize(block);
    st.scores.resize(block * std::min(kKeyBlock, d.kv_len));
  } catch (const std::bad_alloc&) {
    return false;
  }
  const int64_t group = d.q_heads / d.kv_heads;
  for (int64_t h = g * group; h < (g + 1) * group; ++h) {
    for (int64_t q0 = 0; q0 < d.q_len; q0 += block) {
      const int64_t rows = std::min(block, d.q_len - q0);
      if (!QueryBlock(kt, p, b, h, q0, rows, st)) return false;
    }
  }
  return true;
}

// Gives back a thread's packed keys and values when a long sequence made them large.
void TrimScratch() {
  constexpr size_t kKeptFloats = size_t{1} << 20;  // 4 MiB for keys and values each
  HeadScratch& st = tls_head;
  if (st.keys.data.capacity() > kKeptFloats) std::vector<float>().swap(st.keys.data);
  if (st.values.data.capacity() > kKeptFloats) std::vector<float>().swap(st.values.data);
}

// Strides of a mask broadcast (right-aligned) to [B, Hq, Sq, Skv]; false if it does not.
bool MaskStrides(const Tensor& mask, const Dims& d, int64_t* ms) {
  const int64_t full[4] = {d.batch, d.q_heads, d.q_len, d.kv_len};
  if (mask.rank() > 4) return false;
  int64_t stride = 1;
  for (int i = 3, m = static_cast<int>(mask.rank()) - 1; i >= 0; --i, --m) {
    const int64_t dim = m >= 0 ? mask.dim(static_cast<size_t>(m)) : 1;
    if (dim != 1 && dim != full[i]) return false;
    ms[i] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  return true;
}

}  // namespace

StatusOr<bool> TryFastAttention(const ops::KernelContext& ctx, const FastContext& fast) {
  if (ctx.inputs.size() < 3 || ctx.outputs.size() != 1) return false;
  const Tensor* q = ctx.inputs[0];
  const Tensor* k = ctx.inputs[1];
  const Tensor* v = ctx.inputs[2];
  const Tensor* mask = ctx.inputs.size() > 3 ? ctx.inputs[3] : nullptr;
  for (const Tensor* t : {q, k, v, static_cast<const Tensor*>(ctx.outputs[0])}) {
    if (t == nullptr || t->dtype() != DType::kF32 || t->rank() != 4) return false;
  }
  Problem p;
  p.d = {q->dim(0), q->dim(1), k->dim(1), q->dim(2), k->dim(2), q->dim(3), v->dim(3)};
  const Dims& d = p.d;
  if (k->dim(0) != d.batch || v->dim(0) != d.batch || v->dim(1) != d.kv_heads ||
      v->dim(2) != d.kv_len || k->dim(3) != d.head_dim || d.kv_heads <= 0 ||
      d.q_heads % d.kv_heads != 0 || d.kv_len <= 0 || d.head_dim <= 0 || d.v_dim <= 0) {
    return false;
  }
  if (ctx.outputs[0]->dims() != std::vector<int64_t>{d.batch, d.q_heads, d.q_len, d.v_dim}) {
    return false;
  }
  if (mask != nullptr) {
    if (mask->dtype() == DType::kF32)
      p.mask_f32 = mask->data<float>();
    else if (mask->dtype() == DType::kBool)
      p.mask_bool = mask->data<uint8_t>();
    else
      return false;
    if (!MaskStrides(*mask, d, p.ms)) return false;
  }
  if (ctx.outputs[0]->num_elements() == 0) return true;
  p.q = q->data<float>();
  p.k = k->data<float>();
  p.v = v->data<float>();
  p.out = ctx.outputs[0]->mutable_data<float>();
  p.causal = ctx.attrs.GetInt("causal", 0) != 0;
  const double scale = ctx.attrs.GetFloat("scale", 0.0);
  p.scale = static_cast<float>(scale != 0.0 ? scale : 1.0 / std::sqrt(double(d.head_dim)));
  std::atomic<bool> failed{false};
  auto body = [&](uint64_t begin, uint64_t end) {
    for (uint64_t t = begin; t < end; ++t) {
      const auto b = static_cast<int64_t>(t) / d.kv_heads;
      if (!KvHead(*fast.kernels, p, b, static_cast<int64_t>(t) % d.kv_heads)) failed = true;
    }
    TrimScratch();
  };
  const auto tasks = static_cast<uint64_t>(d.batch * d.kv_heads);
  if (fast.parallel_for && tasks > 1)
    fast.parallel_for(tasks, 1, body);
  else
    body(0, tasks);
  if (failed) return ResourceExhausted("Attention: out of memory packing keys and values");
  return true;
}

}  // namespace hetero::cpu
