// GPT-2 built from primitive ops, named as Hugging Face names its parameters.
#include <cmath>

#include "compiler/builtin/models.h"

namespace hetero::builtin {

namespace {

ir::Value* Gpt2Attention(GraphBuilder& b, ir::Value* x, const TransformerConfig& c,
                         const std::string& prefix, const SeqHelpers& seq, ir::Value* padding) {
  const int64_t d = c.dim;
  const int64_t head_dim = d / c.heads;
  ir::Value* qkv = b.Linear(x, d, 3 * d, prefix + ".c_attn");
  ops::Attributes split;
  split.Set("axis", int64_t{2});
  std::vector<ir::Value*> parts = b.OpN("Split", {qkv, b.ConstI64({d, d, d})}, split, 3);
  ir::Value* q = SplitHeads(b, parts[0], c.heads, head_dim);
  ir::Value* k = SplitHeads(b, parts[1], c.heads, head_dim);
  ir::Value* v = SplitHeads(b, parts[2], c.heads, head_dim);
  ir::Value* ctx = DotProductAttention(b, q, k, v, head_dim, seq.causal, padding);
  // GPT-2 scales the residual projections by 1/sqrt(2 * layers) at initialization.
  const float proj_std = 0.02f / std::sqrt(2.0f * static_cast<float>(c.layers));
  ir::Value* merged = MergeHeads(b, ctx, c.heads, head_dim);
  return b.Add(b.MatMul(merged, b.RandomWeight(prefix + ".c_proj.weight", {d, d}, proj_std)),
               b.RandomWeight(prefix + ".c_proj.bias", {d}));
}

ir::Value* Gpt2Mlp(GraphBuilder& b, ir::Value* x, const TransformerConfig& c,
                   const std::string& prefix) {
  ir::Value* h = GeluTanh(b, b.Linear(x, c.dim, c.inner, prefix + ".c_fc"));
  const float proj_std = 0.02f / std::sqrt(2.0f * static_cast<float>(c.layers));
  return b.Add(b.MatMul(h, b.RandomWeight(prefix + ".c_proj.weight", {c.inner, c.dim}, proj_std)),
               b.RandomWeight(prefix + ".c_proj.bias", {c.dim}));
}

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> BuildGpt2(const std::string& name, const TransformerConfig& c,
                                               uint64_t seed) {
  auto graph = std::make_unique<ir::Graph>(name);
  GraphBuilder b(graph.get(), seed);
  ir::Value* ids = TokenInput(b, "input_ids");
  ir::Value* mask = TokenInput(b, "attention_mask");
  const SeqHelpers seq = MakeSeqHelpers(b, ids);
  ir::Value* padding = PaddingMask(b, mask);

  ir::Value* wte = b.RandomWeight("wte.weight", {c.vocab, c.dim});
  ir::Value* wpe = b.RandomWeight("wpe.weight", {c.max_positions, c.dim}, 0.01f);
  ir::Value* h = b.Add(b.Op("Gather", {wte, ids}), b.Op("Gather", {wpe, seq.position_ids}));
  for (int64_t i = 0; i < c.layers && b.ok(); ++i) {
    const std::string prefix = "h." + std::to_string(i);
    b.set_scope(prefix);
    ir::Value* a = b.LayerNorm(h, c.dim, c.norm_epsilon, prefix + ".ln_1");
    h = b.Add(h, Gpt2Attention(b, a, c, prefix + ".attn", seq, padding));
    ir::Value* m = b.LayerNorm(h, c.dim, c.norm_epsilon, prefix + ".ln_2");
    h = b.Add(h, Gpt2Mlp(b, m, c, prefix + ".mlp"));
  }
  b.set_scope("");
  h = b.LayerNorm(h, c.dim, c.norm_epsilon, "ln_f");
  // The LM head is the token embedding itself (tied), read transposed.
  ops::Attributes head;
  head.Set("transpose_b", int64_t{1});
  b.Output(b.Op("MatMul", {h, wte}, std::move(head), "logits"));
  if (!b.ok()) return b.status().WithContext("building " + name);
  return graph;
}

}  // namespace hetero::builtin
