// Properties of the built-in models that follow from their architecture: causality,
// padding, sample inputs, and the parameter counts of the full-size models.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "compiler/builtin/builtin.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

struct Model {
  std::unique_ptr<ir::Graph> graph;
  std::map<std::string, Tensor> inputs;
};

Model Prepare(std::string_view name, int64_t batch, int64_t seq) {
  Model m;
  auto graph = BuildBuiltinModel(name);
  EXPECT_TRUE(graph.ok()) << graph.status().ToString();
  if (graph.ok()) m.graph = std::move(*graph);
  auto inputs = BuiltinSampleInputs(name, batch, seq);
  EXPECT_TRUE(inputs.ok()) << inputs.status().ToString();
  if (inputs.ok()) m.inputs = *inputs;
  return m;
}

Tensor RunFirstOutput(const Model& m, const std::map<std::string, Tensor>& inputs) {
  auto outs = RunReference(*m.graph, inputs);
  EXPECT_TRUE(outs.ok()) << outs.status().ToString();
  return outs.ok() ? (*outs)[0] : Tensor();
}

// Largest |a - b| over the rows [row_begin, row_end) of dim 1 in batch row `b` of two
// [batch, seq, n] tensors.
double MaxDiff(const Tensor& x, const Tensor& y, int64_t batch_row, int64_t row_begin,
               int64_t row_end) {
  const int64_t seq = x.dim(1), n = x.dim(2);
  double diff = 0;
  for (int64_t s = row_begin; s < row_end; ++s) {
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = (batch_row * seq + s) * n + j;
      diff = std::max(diff, std::abs(x.GetDouble(i) - y.GetDouble(i)));
    }
  }
  return diff;
}

Tensor WithToken(const Tensor& ids, int64_t index, int64_t vocab) {
  Tensor copy = *ids.Clone();
  copy.SetInt64(index, (copy.GetInt64(index) + vocab / 2) % vocab);
  return copy;
}

// Changing token 5 of 8 leaves the logits of positions 0..4 as they were and changes
// those of positions 5..7.
void ExpectCausal(std::string_view name) {
  Model m = Prepare(name, 1, 8);
  ASSERT_NE(m.graph, nullptr);
  const Tensor before = RunFirstOutput(m, m.inputs);
  auto changed = m.inputs;
  changed["input_ids"] = WithToken(m.inputs.at("input_ids"), 5, 1000);
  const Tensor after = RunFirstOutput(m, changed);
  ASSERT_EQ(before.dims(), after.dims());
  EXPECT_LE(MaxDiff(before, after, 0, 0, 5), 1e-6) << name << ": earlier positions changed";
  EXPECT_GT(MaxDiff(before, after, 0, 5, 6), 1e-4) << name << ": position 5 did not change";
  EXPECT_GT(MaxDiff(before, after, 0, 7, 8), 1e-6) << name << ": position 7 did not change";
}

TEST(BuiltinPropertiesTest, Gpt2IsCausal) { ExpectCausal("gpt2-tiny"); }
TEST(BuiltinPropertiesTest, LlamaIsCausal) { ExpectCausal("llama-tiny"); }

// Batch 2, seq 8: row 1 has its last 2 positions masked. Changing masked token 6 changes
// the output at position 6 only: no other position attends to it (in the causal models
// only the padding mask keeps position 7 from seeing it).
void ExpectPaddingIgnored(std::string_view name) {
  Model m = Prepare(name, 2, 8);
  ASSERT_NE(m.graph, nullptr);
  const Tensor& mask = m.inputs.at("attention_mask");
  ASSERT_EQ(mask.GetInt64(8 + 5), 1);
  ASSERT_EQ(mask.GetInt64(8 + 6), 0);
  ASSERT_EQ(mask.GetInt64(8 + 7), 0);
  const Tensor before = RunFirstOutput(m, m.inputs);
  auto changed = m.inputs;
  changed["input_ids"] = WithToken(m.inputs.at("input_ids"), 8 + 6, 1000);
  const Tensor after = RunFirstOutput(m, changed);
  ASSERT_EQ(before.dims(), after.dims());
  EXPECT_LE(MaxDiff(before, after, 0, 0, 8), 1e-6) << name << ": the other row changed";
  EXPECT_LE(MaxDiff(before, after, 1, 0, 6), 1e-6) << name << ": unmasked positions changed";
  EXPECT_LE(MaxDiff(before, after, 1, 7, 8), 1e-6) << name << ": position 7 saw position 6";
  EXPECT_GT(MaxDiff(before, after, 1, 6, 7), 1e-4) << name << ": the changed token is unused";

  // The same change at an unmasked position does reach the later positions.
  auto unmasked = m.inputs;
  unmasked["input_ids"] = WithToken(m.inputs.at("input_ids"), 8 + 0, 1000);
  const Tensor moved = RunFirstOutput(m, unmasked);
  EXPECT_GT(MaxDiff(before, moved, 1, 1, 6), 1e-6) << name << ": attention is not mixing";
}

TEST(BuiltinPropertiesTest, BertIgnoresPadding) { ExpectPaddingIgnored("bert-tiny"); }
TEST(BuiltinPropertiesTest, Gpt2IgnoresPadding) { ExpectPaddingIgnored("gpt2-tiny"); }
TEST(BuiltinPropertiesTest, LlamaIgnoresPadding) { ExpectPaddingIgnored("llama-tiny"); }

TEST(BuiltinPropertiesTest, SampleInputsFollowTheirContract) {
  auto inputs = BuiltinSampleInputs("bert-tiny", 3, 8, 7);
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  ASSERT_EQ(inputs->size(), 3u);
  const Tensor& ids = inputs->at("input_ids");
  const Tensor& mask = inputs->at("attention_mask");
  const Tensor& types = inputs->at("token_type_ids");
  EXPECT_EQ(ids.dims(), (std::vector<int64_t>{3, 8}));
  std::set<int64_t> distinct;
  for (int64_t i = 0; i < 24; ++i) {
    EXPECT_GE(ids.GetInt64(i), 0);
    EXPECT_LT(ids.GetInt64(i), 1000);
    distinct.insert(ids.GetInt64(i));
    EXPECT_EQ(types.GetInt64(i), 0);
    const bool padded = i >= 8 + 6 && i < 16;  // row 1, last seq / 4 = 2 positions
    EXPECT_EQ(mask.GetInt64(i), padded ? 0 : 1) << i;
  }
  EXPECT_GT(distinct.size(), 15u);
  // Same seed, same data; another seed, other data.
  auto again = BuiltinSampleInputs("bert-tiny", 3, 8, 7);
  auto other = BuiltinSampleInputs("bert-tiny", 3, 8, 8);
  EXPECT_EQ(again->at("input_ids").ToInt64Vector(), ids.ToInt64Vector());
  EXPECT_NE(other->at("input_ids").ToInt64Vector(), ids.ToInt64Vector());
  // GPT-2 takes no token types; batch 1 has no padding; seq 1 keeps its only position.
  auto gpt2 = BuiltinSampleInputs("gpt2-tiny", 1, 4);
  ASSERT_TRUE(gpt2.ok());
  EXPECT_EQ(gpt2->count("token_type_ids"), 0u);
  EXPECT_EQ(gpt2->at("attention_mask").ToInt64Vector(), (std::vector<int64_t>{1, 1, 1, 1}));
  auto single = BuiltinSampleInputs("gpt2-tiny", 2, 1);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->at("attention_mask").ToInt64Vector(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(BuiltinSampleInputs("gpt2-tiny", 0, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuiltinSampleInputs("gpt2-tiny", 1, -1).status().code(), StatusCode::kInvalidArgument);
}

// Parameter counts: float constants named "<module>.weight" / "<module>.bias".
int64_t CountParameters(const ir::Graph& graph) {
  int64_t total = 0;
  for (const ir::Value* c : graph.constants()) {
    const std::string& n = c->name();
    if ((n.ends_with(".weight") || n.ends_with(".bias")) && c->constant()->dtype() == DType::kF32) {
      total += c->constant()->num_elements();
    }
  }
  return total;
}

// A post-LN BERT encoder's parameters from its sizes, pooler included.
int64_t BertParameters(int64_t vocab, int64_t d, int64_t layers, int64_t inner) {
  const int64_t embeddings = (vocab + 512 + 2) * d + 2 * d;
  const int64_t layer = 4 * (d * d + d) + 2 * d + (d * inner + inner) + (inner * d + d) + 2 * d;
  return embeddings + layers * layer + (d * d + d);
}

TEST(BuiltinPropertiesTest, FullSizeModelsMatchThePublishedParameterCounts) {
  struct Case {
    const char* name;
    int64_t published;  // the reference implementation's count
    int64_t formula;
    const char* output;
  };
  const Case cases[] = {
      // GPT-2 small with wte tied to the LM head (counted once).
      {"gpt2", 124439808,
       50257 * 768 + 1024 * 768 +
           12 * (4 * 768 + 768 * 2304 + 2304 + 768 * 768 + 768 + 768 * 3072 + 3072 + 3072 * 768 +
                 768) +
           2 * 768,
       "logits:f32[batch,seq,50257]"},
      // bert-base-uncased with its pooler.
      {"bert-base", 109482240, BertParameters(30522, 768, 12, 3072),
       "last_hidden_state:f32[batch,seq,768]"},
      // sentence-transformers/all-MiniLM-L6-v2 with its pooler.
      {"minilm-l6", 22713216, BertParameters(30522, 384, 6, 1536),
       "last_hidden_state:f32[batch,seq,384]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.formula, c.published) << c.name;
    auto graph = BuildBuiltinModel(c.name);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    EXPECT_EQ(CountParameters(**graph), c.published) << c.name;
    const ir::Value* out = (*graph)->outputs()[0];
    EXPECT_EQ(out->name() + ":" + out->type().ToString(), c.output);
  }
}

}  // namespace
}  // namespace hetero
