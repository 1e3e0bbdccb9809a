// The table of built-in models, and deterministic sample inputs for them.
#include <algorithm>

#include "compiler/builtin/builtin.h"
#include "compiler/builtin/models.h"

namespace hetero {

namespace {

using builtin::TransformerConfig;

enum class Arch { kGpt2, kBert, kLlama };

struct Entry {
  const char* name;
  const char* description;
  Arch arch;
  TransformerConfig config;
  int64_t default_batch;
  int64_t default_seq;
};

TransformerConfig Config(int64_t vocab, int64_t dim, int64_t layers, int64_t heads,
                         int64_t kv_heads, int64_t inner, int64_t max_positions, int64_t type_vocab,
                         float norm_epsilon) {
  TransformerConfig c;
  c.vocab = vocab;
  c.dim = dim;
  c.layers = layers;
  c.heads = heads;
  c.kv_heads = kv_heads;
  c.inner = inner;
  c.max_positions = max_positions;
  c.type_vocab = type_vocab;
  c.norm_epsilon = norm_epsilon;
  return c;
}

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {"gpt2-tiny", "GPT-2 architecture, vocab 1000, d 64, 2 layers, 4 heads, ctx 128", Arch::kGpt2,
       Config(1000, 64, 2, 4, 4, 256, 128, 0, 1e-5f), 1, 16},
      {"bert-tiny", "BERT encoder, vocab 1000, d 64, 2 layers, 4 heads, inner 256, max pos 128",
       Arch::kBert, Config(1000, 64, 2, 4, 4, 256, 128, 2, 1e-12f), 1, 16},
      {"llama-tiny",
       "Llama architecture, vocab 1000, d 64, 2 layers, 4 query / 2 KV heads, inner 128",
       Arch::kLlama, Config(1000, 64, 2, 4, 2, 128, 128, 0, 1e-6f), 1, 16},
      {"gpt2", "GPT-2 small (124M): vocab 50257, d 768, 12 layers, 12 heads, ctx 1024", Arch::kGpt2,
       Config(50257, 768, 12, 12, 12, 3072, 1024, 0, 1e-5f), 1, 128},
      {"bert-base", "BERT base (110M): vocab 30522, d 768, 12 layers, 12 heads, inner 3072",
       Arch::kBert, Config(30522, 768, 12, 12, 12, 3072, 512, 2, 1e-12f), 1, 128},
      {"minilm-l6", "all-MiniLM-L6-v2 shapes (23M): vocab 30522, d 384, 6 layers, 12 heads",
       Arch::kBert, Config(30522, 384, 6, 12, 12, 1536, 512, 2, 1e-12f), 1, 128},
  };
  return entries;
}

StatusOr<const Entry*> FindEntry(std::string_view name) {
  for (const Entry& e : Entries()) {
    if (name == e.name) return &e;
  }
  std::string known;
  for (const Entry& e : Entries()) known += (known.empty() ? "" : ", ") + std::string(e.name);
  return NotFound("no built-in model '" + std::string(name) + "'; known: " + known);
}

}  // namespace

std::vector<BuiltinInfo> ListBuiltinModels() {
  std::vector<BuiltinInfo> out;
  for (const Entry& e : Entries()) {
    out.push_back({e.name, e.description, e.config.vocab, e.default_batch, e.default_seq});
  }
  return out;
}

StatusOr<std::unique_ptr<ir::Graph>> BuildBuiltinModel(std::string_view name) {
  HETERO_ASSIGN_OR_RETURN(const Entry* e, FindEntry(name));
  const uint64_t seed = builtin::HashName(e->name);
  switch (e->arch) {
    case Arch::kGpt2: return builtin::BuildGpt2(e->name, e->config, seed);
    case Arch::kBert: return builtin::BuildBert(e->name, e->config, seed);
    case Arch::kLlama: return builtin::BuildLlama(e->name, e->config, seed);
  }
  return Internal("built-in model '" + std::string(name) + "' has no constructor");
}

StatusOr<std::map<std::string, Tensor>> BuiltinSampleInputs(std::string_view name, int64_t batch,
                                                            int64_t seq, uint64_t seed) {
  HETERO_ASSIGN_OR_RETURN(const Entry* e, FindEntry(name));
  if (batch < 1 || seq < 1) {
    return InvalidArgument("sample inputs for '" + std::string(name) + "': batch " +
                           std::to_string(batch) + " and seq " + std::to_string(seq) +
                           " must be at least 1");
  }
  HETERO_ASSIGN_OR_RETURN(Tensor ids, Tensor::Allocate(DType::kI64, {batch, seq}));
  HETERO_ASSIGN_OR_RETURN(Tensor mask, Tensor::Allocate(DType::kI64, {batch, seq}));
  builtin::Rng rng(seed ^ builtin::HashName(e->name));
  int64_t* id_data = ids.mutable_data<int64_t>();
  int64_t* mask_data = mask.mutable_data<int64_t>();
  for (int64_t i = 0; i < batch * seq; ++i) {
    id_data[i] = rng.Below(e->config.vocab);
    mask_data[i] = 1;
  }
  const int64_t pad = batch > 1 ? std::min<int64_t>(std::max<int64_t>(1, seq / 4), seq - 1) : 0;
  for (int64_t j = seq - pad; j < seq; ++j) mask_data[seq + j] = 0;
  std::map<std::string, Tensor> inputs{{"input_ids", ids}, {"attention_mask", mask}};
  if (e->arch == Arch::kBert) {
    HETERO_ASSIGN_OR_RETURN(inputs["token_type_ids"], Tensor::Allocate(DType::kI64, {batch, seq}));
  }
  return inputs;
}

}  // namespace hetero
