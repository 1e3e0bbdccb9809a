// Llama built from primitive ops, named as Hugging Face names its parameters.
#include <cmath>

#include "compiler/builtin/models.h"

namespace hetero::builtin {

namespace {

struct Rotary {
  ir::Value* cos = nullptr;  // [1, 1, seq, head_dim]
  ir::Value* sin = nullptr;
};

// cos and sin of position * inv_freq, the frequencies repeated over both halves.
Rotary MakeRotary(GraphBuilder& b, const TransformerConfig& c, ir::Value* position_ids) {
  const int64_t head_dim = c.dim / c.heads;
  const int64_t half = head_dim / 2;
  std::vector<float> inv_freq(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i) {
    const double exponent = static_cast<double>(2 * i) / static_cast<double>(head_dim);
    inv_freq[static_cast<size_t>(i)] = static_cast<float>(1.0 / std::pow(c.rope_theta, exponent));
  }
  ir::Value* freq = b.ConstF32("rotary_emb.inv_freq", {half}, inv_freq);
  ir::Value* pos = b.Unsqueeze(b.Cast(position_ids, DType::kF32), {2});  // [1, seq, 1]
  ir::Value* angles = b.Mul(pos, freq);                                  // [1, seq, half]
  ops::Attributes last;
  last.Set("axis", int64_t{-1});
  ir::Value* emb = b.Op("Concat", {angles, angles}, std::move(last));
  return Rotary{b.Unsqueeze(b.Op("Cos", {emb}), {1}), b.Unsqueeze(b.Op("Sin", {emb}), {1})};
}

// x * cos + rotate_half(x) * sin, rotate_half(x) = concat(-x2, x1).
ir::Value* ApplyRotary(GraphBuilder& b, ir::Value* x, const Rotary& r, int64_t head_dim) {
  const int64_t half = head_dim / 2;
  ir::Value* x1 = b.Slice(x, 0, half, -1);
  ir::Value* x2 = b.Slice(x, half, head_dim, -1);
  ops::Attributes last;
  last.Set("axis", int64_t{-1});
  ir::Value* rotated = b.Op("Concat", {b.Op("Neg", {x2}), x1}, std::move(last));
  return b.Add(b.Mul(x, r.cos), b.Mul(rotated, r.sin));
}

// [batch, kv_heads, seq, d] -> [batch, kv_heads * rep, seq, d], each KV head repeated
// for its group of query heads (Unsqueeze + Expand + Reshape, as exported).
ir::Value* RepeatKv(GraphBuilder& b, ir::Value* x, int64_t kv_heads, int64_t rep,
                    int64_t head_dim) {
  if (rep == 1) return x;
  ir::Value* wide = b.Op("Expand", {b.Unsqueeze(x, {2}), b.ConstI64({1, 1, rep, 1, 1})});
  return b.Reshape(wide, {0, kv_heads * rep, -1, head_dim});
}

ir::Value* RmsNorm(GraphBuilder& b, ir::Value* x, const TransformerConfig& c,
                   const std::string& name) {
  ops::Attributes mean;
  mean.Set("axes", std::vector<int64_t>{-1});
  mean.Set("keepdims", int64_t{1});
  ir::Value* variance = b.Op("ReduceMean", {b.Op("Pow", {x, b.ScalarF32(2.0f)})}, mean);
  ir::Value* root = b.Op("Sqrt", {b.Add(variance, b.ScalarF32(c.norm_epsilon))});
  ir::Value* normed = b.Mul(x, b.Op("Reciprocal", {root}));
  return b.Mul(b.RandomWeight(name + ".weight", {c.dim}, 0.02f, 1.0f), normed);
}

ir::Value* LlamaAttention(GraphBuilder& b, ir::Value* x, const TransformerConfig& c,
                          const std::string& prefix, const Rotary& rotary, ir::Value* mask) {
  const int64_t head_dim = c.dim / c.heads;
  ir::Value* q = b.Linear(x, c.dim, c.heads * head_dim, prefix + ".q_proj", false);
  ir::Value* k = b.Linear(x, c.dim, c.kv_heads * head_dim, prefix + ".k_proj", false);
  ir::Value* v = b.Linear(x, c.dim, c.kv_heads * head_dim, prefix + ".v_proj", false);
  q = ApplyRotary(b, SplitHeads(b, q, c.heads, head_dim), rotary, head_dim);
  k = ApplyRotary(b, SplitHeads(b, k, c.kv_heads, head_dim), rotary, head_dim);
  v = SplitHeads(b, v, c.kv_heads, head_dim);
  const int64_t rep = c.heads / c.kv_heads;
  k = RepeatKv(b, k, c.kv_heads, rep, head_dim);
  v = RepeatKv(b, v, c.kv_heads, rep, head_dim);
  ir::Value* ctx = DotProductAttention(b, q, k, v, head_dim, nullptr, mask);
  return b.Linear(MergeHeads(b, ctx, c.heads, head_dim), c.dim, c.dim, prefix + ".o_proj", false);
}

ir::Value* LlamaMlp(GraphBuilder& b, ir::Value* x, const TransformerConfig& c,
                    const std::string& prefix) {
  ir::Value* gate = b.Op("Silu", {b.Linear(x, c.dim, c.inner, prefix + ".gate_proj", false)});
  ir::Value* up = b.Linear(x, c.dim, c.inner, prefix + ".up_proj", false);
  return b.Linear(b.Mul(gate, up), c.inner, c.dim, prefix + ".down_proj", false);
}

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> BuildLlama(const std::string& name, const TransformerConfig& c,
                                                uint64_t seed) {
  if (c.kv_heads <= 0 || c.heads % c.kv_heads != 0 || (c.dim / c.heads) % 2 != 0) {
    return InvalidArgument("building " + name +
                           ": heads must be a multiple of kv_heads and "
                           "the head size even");
  }
  auto graph = std::make_unique<ir::Graph>(name);
  GraphBuilder b(graph.get(), seed);
  ir::Value* ids = TokenInput(b, "input_ids");
  ir::Value* attention_mask = TokenInput(b, "attention_mask");
  const SeqHelpers seq = MakeSeqHelpers(b, ids);
  const Rotary rotary = MakeRotary(b, c, seq.position_ids);
  // One additive mask [batch, 1, seq, seq]: causal and padding together.
  ir::Value* causal =
      b.Mul(b.Sub(b.ScalarF32(1.0f), b.Cast(seq.causal, DType::kF32)), b.ScalarF32(kMaskValue));
  ir::Value* mask = b.Add(causal, PaddingMask(b, attention_mask));

  ir::Value* h =
      b.Op("Gather", {b.RandomWeight("model.embed_tokens.weight", {c.vocab, c.dim}), ids});
  for (int64_t i = 0; i < c.layers && b.ok(); ++i) {
    const std::string prefix = "model.layers." + std::to_string(i);
    b.set_scope(prefix);
    ir::Value* a = RmsNorm(b, h, c, prefix + ".input_layernorm");
    h = b.Add(h, LlamaAttention(b, a, c, prefix + ".self_attn", rotary, mask));
    ir::Value* m = RmsNorm(b, h, c, prefix + ".post_attention_layernorm");
    h = b.Add(h, LlamaMlp(b, m, c, prefix + ".mlp"));
  }
  b.set_scope("");
  h = RmsNorm(b, h, c, "model.norm");
  b.Output(b.Op("MatMul", {h, b.RandomWeight("lm_head.weight", {c.dim, c.vocab})}, {}, "logits"));
  if (!b.ok()) return b.status().WithContext("building " + name);
  return graph;
}

}  // namespace hetero::builtin
