// Tests of the built-in models: shapes, primitive ops only, reference runs, determinism,
// causal and padding properties, parameter counts.
#include "compiler/builtin/builtin.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "compiler/builtin/builder.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

const char* const kTinyModels[] = {"gpt2-tiny", "bert-tiny", "llama-tiny"};

std::unique_ptr<ir::Graph> Build(std::string_view name) {
  auto graph = BuildBuiltinModel(name);
  EXPECT_TRUE(graph.ok()) << name << ": " << graph.status().ToString();
  return graph.ok() ? std::move(*graph) : nullptr;
}

std::vector<Tensor> RunGraph(const ir::Graph& graph, const std::map<std::string, Tensor>& inputs) {
  auto outputs = RunReference(graph, inputs);
  EXPECT_TRUE(outputs.ok()) << graph.name() << ": " << outputs.status().ToString();
  return outputs.ok() ? *outputs : std::vector<Tensor>{};
}

std::map<std::string, Tensor> Inputs(std::string_view name, int64_t batch, int64_t seq) {
  auto inputs = BuiltinSampleInputs(name, batch, seq);
  EXPECT_TRUE(inputs.ok()) << inputs.status().ToString();
  return inputs.ok() ? *inputs : std::map<std::string, Tensor>{};
}

TEST(BuiltinTest, ListsEveryModelOnce) {
  std::set<std::string> names;
  for (const BuiltinInfo& info : ListBuiltinModels()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_FALSE(info.description.empty());
    EXPECT_GT(info.vocab_size, 0);
    EXPECT_GE(info.default_batch, 1);
    EXPECT_GE(info.default_seq, 1);
  }
  EXPECT_EQ(names, (std::set<std::string>{"gpt2-tiny", "bert-tiny", "llama-tiny", "gpt2",
                                          "bert-base", "minilm-l6"}));
}

TEST(BuiltinTest, UnknownNameListsKnownOnes) {
  auto graph = BuildBuiltinModel("gpt5");
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kNotFound);
  EXPECT_NE(graph.status().message().find("gpt5"), std::string::npos);
  EXPECT_NE(graph.status().message().find("llama-tiny"), std::string::npos);
  EXPECT_FALSE(BuildBuiltinModel("builtin:gpt2-tiny").ok());
  EXPECT_FALSE(BuiltinSampleInputs("gpt5", 1, 4).ok());
}

std::string Signature(const std::vector<ir::Value*>& values) {
  std::string out;
  for (const ir::Value* v : values) out += v->name() + ":" + v->type().ToString() + " ";
  return out;
}

TEST(BuiltinTest, TinyModelsHaveSymbolicInputsAndOutputs) {
  auto gpt2 = Build("gpt2-tiny");
  ASSERT_NE(gpt2, nullptr);
  EXPECT_EQ(Signature(gpt2->inputs()), "input_ids:i64[batch,seq] attention_mask:i64[batch,seq] ");
  EXPECT_EQ(Signature(gpt2->outputs()), "logits:f32[batch,seq,1000] ");
  auto bert = Build("bert-tiny");
  ASSERT_NE(bert, nullptr);
  EXPECT_EQ(Signature(bert->inputs()),
            "input_ids:i64[batch,seq] attention_mask:i64[batch,seq] "
            "token_type_ids:i64[batch,seq] ");
  EXPECT_EQ(Signature(bert->outputs()),
            "last_hidden_state:f32[batch,seq,64] pooler_output:f32[batch,64] ");
  auto llama = Build("llama-tiny");
  ASSERT_NE(llama, nullptr);
  EXPECT_EQ(Signature(llama->inputs()), "input_ids:i64[batch,seq] attention_mask:i64[batch,seq] ");
  EXPECT_EQ(Signature(llama->outputs()), "logits:f32[batch,seq,1000] ");
}

// Shape inference keeps every dim known: numbers or the batch / seq symbols, so later
// passes see the same sizes everywhere.
TEST(BuiltinTest, EveryValueHasKnownDims) {
  for (const char* name : kTinyModels) {
    auto graph = Build(name);
    ASSERT_NE(graph, nullptr);
    for (const auto& node : graph->nodes()) {
      for (const ir::Value* v : node->outputs()) {
        for (const Dim& d : v->type().shape.dims()) {
          EXPECT_FALSE(d.is_unknown())
              << name << ": " << ir::DescribeNode(*node) << " gives " << v->type().ToString();
          if (d.is_symbol()) {
            EXPECT_TRUE(d.symbol() == "batch" || d.symbol() == "seq") << d.symbol();
          }
        }
      }
    }
  }
}

TEST(BuiltinTest, UsesPrimitiveOpsOnly) {
  const std::set<std::string> fused = {"Attention", "Rope",        "RMSNorm",       "Gelu",
                                       "SwiGLU",    "FusedMatMul", "KvCacheAppend", "Rsqrt"};
  for (const char* name : kTinyModels) {
    auto graph = Build(name);
    ASSERT_NE(graph, nullptr);
    std::set<std::string> ops;
    for (const auto& node : graph->nodes()) {
      EXPECT_EQ(fused.count(node->op()), 0u) << name << ": " << ir::DescribeNode(*node);
      ops.insert(node->op());
    }
    // The pieces a fusion pass looks for are there.
    EXPECT_TRUE(ops.count("Softmax") && ops.count("MatMul") && ops.count("Transpose")) << name;
  }
}

TEST(BuiltinTest, TinyModelsRunWithFiniteOutputs) {
  for (const char* name : kTinyModels) {
    auto graph = Build(name);
    ASSERT_NE(graph, nullptr);
    for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 8}, {2, 5}}) {
      std::vector<Tensor> outs = RunGraph(*graph, Inputs(name, batch, seq));
      ASSERT_EQ(outs.size(), graph->outputs().size()) << name;
      for (size_t i = 0; i < outs.size(); ++i) {
        const Shape& declared = graph->outputs()[i]->type().shape;
        ASSERT_EQ(outs[i].rank(), declared.rank());
        EXPECT_EQ(outs[i].dim(0), batch);
        if (declared.rank() == 3) {
          EXPECT_EQ(outs[i].dim(1), seq);
        }
        EXPECT_EQ(outs[i].dim(declared.rank() - 1), declared[declared.rank() - 1].value());
        double max_abs = 0;
        for (int64_t j = 0; j < outs[i].num_elements(); ++j) {
          const double v = outs[i].GetDouble(j);
          ASSERT_TRUE(std::isfinite(v)) << name << " output " << i << " element " << j;
          max_abs = std::max(max_abs, std::abs(v));
        }
        EXPECT_GT(max_abs, 1e-3) << name << ": output " << i << " is all near zero";
      }
    }
  }
}

bool SameConstants(const ir::Graph& a, const ir::Graph& b) {
  if (a.constants().size() != b.constants().size()) return false;
  for (size_t i = 0; i < a.constants().size(); ++i) {
    const Tensor& x = *a.constants()[i]->constant();
    const Tensor& y = *b.constants()[i]->constant();
    if (a.constants()[i]->name() != b.constants()[i]->name() || x.dims() != y.dims() ||
        x.dtype() != y.dtype() || std::memcmp(x.raw(), y.raw(), x.byte_size()) != 0) {
      return false;
    }
  }
  return true;
}

TEST(BuiltinTest, BuildsAreDeterministic) {
  for (const char* name : kTinyModels) {
    auto a = Build(name);
    auto b = Build(name);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(SameConstants(*a, *b)) << name;
    ASSERT_EQ(a->num_nodes(), b->num_nodes());
    for (size_t i = 0; i < a->num_nodes(); ++i) {
      EXPECT_EQ(a->nodes()[i]->op(), b->nodes()[i]->op());
      EXPECT_EQ(a->nodes()[i]->attrs(), b->nodes()[i]->attrs());
    }
  }
  // Different models draw different weights even where the shapes agree.
  auto gpt2 = Build("gpt2-tiny");
  const Tensor* wte = gpt2->FindValue("wte.weight")->constant();
  const Tensor* embed = Build("llama-tiny")->FindValue("model.embed_tokens.weight")->constant();
  ASSERT_EQ(wte->byte_size(), embed->byte_size());
  EXPECT_NE(std::memcmp(wte->raw(), embed->raw(), wte->byte_size()), 0);
}

TEST(BuiltinTest, WeightsHaveTheRequestedSpread) {
  auto graph = Build("gpt2-tiny");
  const Tensor* wte = graph->FindValue("wte.weight")->constant();
  double sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < wte->num_elements(); ++i) {
    const double v = wte->GetDouble(i);
    sum += v;
    sum_sq += v * v;
  }
  const double n = static_cast<double>(wte->num_elements());
  EXPECT_NEAR(sum / n, 0.0, 0.001);
  EXPECT_NEAR(std::sqrt(sum_sq / n - (sum / n) * (sum / n)), 0.02, 0.001);
}

TEST(BuiltinTest, BuilderKeepsTheFirstError) {
  ir::Graph graph("g");
  builtin::GraphBuilder b(&graph, 1);
  ir::Value* x = builtin::TokenInput(b, "input_ids");
  ASSERT_NE(x, nullptr);
  b.set_scope("layer.3");
  EXPECT_EQ(b.Op("NoSuchOp", {x}), nullptr);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("layer.3/NoSuchOp"), std::string::npos)
      << b.status().message();
  // Later calls do nothing and keep the first message.
  const std::string first = b.status().message();
  EXPECT_EQ(b.Op("Transpose", {x, x}), nullptr);
  EXPECT_EQ(b.RandomWeight("w.weight", {4}), nullptr);
  EXPECT_EQ(b.status().message(), first);
  EXPECT_EQ(graph.constants().size(), 0u);
}

TEST(BuiltinTest, RngIsTheSameEverywhere) {
  // Seeded streams repeat, differ between seeds and stay in range; the name hash is
  // FNV-1a (checked against its published test vectors).
  builtin::Rng a(0), b(0), c(1);
  const uint64_t first = a.Next();
  EXPECT_EQ(first, b.Next());
  EXPECT_NE(first, c.Next());
  for (int i = 0; i < 1000; ++i) {
    const float u = a.Uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    const int64_t k = a.Below(7);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 7);
  }
  EXPECT_EQ(builtin::HashName(""), 0xcbf29ce484222325ULL);   // the FNV-1a offset basis
  EXPECT_EQ(builtin::HashName("a"), 0xaf63dc4c8601ec8cULL);  // published FNV-1a 64 of "a"
}

}  // namespace
}  // namespace hetero
