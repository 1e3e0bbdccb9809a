// BERT encoder built from primitive ops, named as Hugging Face names its parameters.
#include "compiler/builtin/models.h"

namespace hetero::builtin {

namespace {

// BERT's layer norms use epsilon 1e-12.
ir::Value* BertEmbeddings(GraphBuilder& b, const TransformerConfig& c, ir::Value* ids,
                          ir::Value* token_types) {
  b.set_scope("embeddings");
  const SeqHelpers seq = MakeSeqHelpers(b, ids);
  ir::Value* words = b.RandomWeight("embeddings.word_embeddings.weight", {c.vocab, c.dim});
  ir::Value* types =
      b.RandomWeight("embeddings.token_type_embeddings.weight", {c.type_vocab, c.dim});
  ir::Value* positions =
      b.RandomWeight("embeddings.position_embeddings.weight", {c.max_positions, c.dim});
  ir::Value* e = b.Add(b.Op("Gather", {words, ids}), b.Op("Gather", {types, token_types}));
  e = b.Add(e, b.Op("Gather", {positions, seq.position_ids}));
  return b.LayerNorm(e, c.dim, c.norm_epsilon, "embeddings.LayerNorm");
}

ir::Value* BertLayer(GraphBuilder& b, ir::Value* h, const TransformerConfig& c,
                     const std::string& prefix, ir::Value* padding, std::string output_name) {
  const int64_t d = c.dim;
  const int64_t head_dim = d / c.heads;
  const std::string self = prefix + ".attention.self";
  ir::Value* q = SplitHeads(b, b.Linear(h, d, d, self + ".query"), c.heads, head_dim);
  ir::Value* k = SplitHeads(b, b.Linear(h, d, d, self + ".key"), c.heads, head_dim);
  ir::Value* v = SplitHeads(b, b.Linear(h, d, d, self + ".value"), c.heads, head_dim);
  ir::Value* ctx =
      MergeHeads(b, DotProductAttention(b, q, k, v, head_dim, nullptr, padding), c.heads, head_dim);
  const std::string out = prefix + ".attention.output";
  ir::Value* a = b.Add(b.Linear(ctx, d, d, out + ".dense"), h);
  a = b.LayerNorm(a, d, c.norm_epsilon, out + ".LayerNorm");
  ir::Value* inner = GeluErf(b, b.Linear(a, d, c.inner, prefix + ".intermediate.dense"));
  ir::Value* o = b.Add(b.Linear(inner, c.inner, d, prefix + ".output.dense"), a);
  return b.LayerNorm(o, d, c.norm_epsilon, prefix + ".output.LayerNorm", std::move(output_name));
}

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> BuildBert(const std::string& name, const TransformerConfig& c,
                                               uint64_t seed) {
  auto graph = std::make_unique<ir::Graph>(name);
  GraphBuilder b(graph.get(), seed);
  ir::Value* ids = TokenInput(b, "input_ids");
  ir::Value* mask = TokenInput(b, "attention_mask");
  ir::Value* token_types = TokenInput(b, "token_type_ids");
  ir::Value* h = BertEmbeddings(b, c, ids, token_types);
  ir::Value* padding = PaddingMask(b, mask);
  for (int64_t i = 0; i < c.layers && b.ok(); ++i) {
    const std::string prefix = "encoder.layer." + std::to_string(i);
    b.set_scope(prefix);
    h = BertLayer(b, h, c, prefix, padding, i + 1 == c.layers ? "last_hidden_state" : "");
  }
  // Pooler: tanh(dense(hidden state of the first token)).
  b.set_scope("pooler");
  ops::Attributes axis1;
  axis1.Set("axis", int64_t{1});
  ir::Value* first = b.Op("Gather", {h, b.ScalarI64(0)}, std::move(axis1));
  ir::Value* pooled =
      b.Op("Tanh", {b.Linear(first, c.dim, c.dim, "pooler.dense")}, {}, "pooler_output");
  b.Output(h);
  b.Output(pooled);
  if (!b.ok()) return b.status().WithContext("building " + name);
  return graph;
}

}  // namespace hetero::builtin
