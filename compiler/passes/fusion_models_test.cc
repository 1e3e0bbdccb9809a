// Runs the default pass pipeline on the built-in and PyTorch fixture models: every
// attention block, norm and MLP must come out fused, with outputs equal to the unfused
// graph's within 1e-4.
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/builtin/builtin.h"
#include "compiler/onnx/importer.h"
#include "compiler/passes/fusion_test_util.h"
#include "compiler/passes/pattern.h"
#include "compiler/passes/pipeline.h"
#include "gtest/gtest.h"
#include "runtime/io/npy.h"
#include "runtime/session/reference_executor.h"

namespace hetero::passes {
namespace {

using testing::CountOp;
using testing::CountOps;

const std::string kFixtureDir = std::filesystem::path(HETERO_SOURCE_DIR) / "tests/models";

using GraphFactory = std::function<StatusOr<std::unique_ptr<ir::Graph>>()>;

// What a model must look like after the pipeline: one fused op per block of the model.
struct Expected {
  std::string model;
  GraphFactory build;
  int attention = 0;               // Attention nodes
  int causal = 0;                  // of which causal = 1
  int grouped = 0;                 // of which fed fewer KV heads than query heads
  int norms = 0;                   // LayerNorm + RMSNorm
  int gelu = 0;                    // Gelu, alone or as a FusedMatMul activation
  int swiglu = 0;                  // SwiGLU
  int rope = 0;                    // Rope
  std::vector<std::string> cases;  // fixture cases; empty: built-in sample inputs
};

GraphFactory Builtin(const std::string& name) {
  return [name] { return BuildBuiltinModel(name); };
}
GraphFactory Fixture(const std::string& file) {
  return [file] { return ImportOnnxFile(kFixtureDir + "/" + file); };
}

std::string Describe(const std::map<std::string, int>& counts) {
  std::string s;
  for (const auto& [op, n] : counts) s += op + "=" + std::to_string(n) + " ";
  return s;
}

int CountIf(const ir::Graph& graph, const std::function<bool(const ir::Node&)>& pred) {
  int n = 0;
  for (const auto& node : graph.nodes()) n += pred(*node) ? 1 : 0;
  return n;
}

void ExpectFused(const ir::Graph& g, const Expected& e) {
  auto attention = [](const ir::Node& n) { return n.op() == "Attention"; };
  EXPECT_EQ(CountIf(g, attention), e.attention);
  EXPECT_EQ(
      CountIf(
          g, [&](const ir::Node& n) { return attention(n) && n.attrs().GetInt("causal", 0) == 1; }),
      e.causal);
  EXPECT_EQ(CountIf(g,
                    [&](const ir::Node& n) {
                      return attention(n) &&
                             !SameDim(n.input(0)->type().shape[1], n.input(1)->type().shape[1]);
                    }),
            e.grouped);
  EXPECT_EQ(CountOp(g, "LayerNorm") + CountOp(g, "RMSNorm"), e.norms);
  EXPECT_EQ(CountIf(g,
                    [](const ir::Node& n) {
                      return n.op() == "Gelu" ||
                             (n.op() == "FusedMatMul" &&
                              n.attrs().GetString("activation", "").starts_with("gelu"));
                    }),
            e.gelu);
  EXPECT_EQ(CountOp(g, "SwiGLU"), e.swiglu);
  EXPECT_EQ(CountOp(g, "Rope"), e.rope);
  // Nothing of the decomposed patterns is left (BERT's pooler keeps its one Tanh).
  for (const char* op : {"Softmax", "ReduceMean", "Sqrt", "Pow", "Erf", "Sigmoid", "Neg"}) {
    EXPECT_EQ(CountOp(g, op), 0) << op;
  }
  EXPECT_LE(CountOp(g, "Tanh"), 1);
}

StatusOr<std::map<std::string, Tensor>> Inputs(const Expected& e, const ir::Graph& graph,
                                               const std::string& case_name) {
  if (case_name.empty()) return BuiltinSampleInputs(e.model, 2, 7);
  std::map<std::string, Tensor> inputs;
  const std::string dir = kFixtureDir + "/" + e.model.substr(0, e.model.find('_')) + "/";
  for (const ir::Value* in : graph.inputs()) {
    HETERO_ASSIGN_OR_RETURN(Tensor t, ReadNpy(dir + in->name() + "_" + case_name + ".npy"));
    inputs.emplace(in->name(), std::move(t));
  }
  return inputs;
}

class FusionModelsTest : public ::testing::TestWithParam<Expected> {};

TEST_P(FusionModelsTest, FusesEveryBlockAndKeepsOutputs) {
  const Expected& e = GetParam();
  auto original = e.build();
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  auto fused = e.build();
  ASSERT_TRUE(fused.ok()) << fused.status().ToString();
  const size_t before = (*fused)->num_nodes();
  PipelineOptions verify;
  verify.verify = true;
  auto run = Pipeline::Default().Run(**fused, verify);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  std::cout << e.model << ": " << before << " -> " << (*fused)->num_nodes() << " nodes; "
            << Describe(CountOps(**fused)) << "\n";
  ExpectFused(**fused, e);
  // Callers read outputs by name: the fused graph keeps them.
  ASSERT_EQ((*fused)->outputs().size(), (*original)->outputs().size());
  for (size_t i = 0; i < (*original)->outputs().size(); ++i) {
    EXPECT_EQ((*fused)->outputs()[i]->name(), (*original)->outputs()[i]->name());
  }

  std::vector<std::string> cases = e.cases.empty() ? std::vector<std::string>{""} : e.cases;
  for (const std::string& c : cases) {
    SCOPED_TRACE("case " + c);
    auto inputs = Inputs(e, **original, c);
    ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
    auto want = RunReference(**original, *inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = RunReference(**fused, *inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), want->size());
    for (size_t i = 0; i < want->size(); ++i) {
      EXPECT_EQ(testing::CompareTensors((*got)[i], (*want)[i]), "") << "output " << i;
    }
  }
}

std::vector<Expected> Models() {
  const std::vector<std::string> cases = {"b2s7", "b1s11"};
  // 2 layers each: per layer one attention, two norms and one MLP, plus the final norm
  // (BERT: the embedding norm); Llama: Rope on q and k per layer.
  std::vector<Expected> models = {
      {"gpt2-tiny", Builtin("gpt2-tiny"), 2, 2, 0, 5, 2, 0, 0, {}},
      {"bert-tiny", Builtin("bert-tiny"), 2, 0, 0, 5, 2, 0, 0, {}},
      {"llama-tiny", Builtin("llama-tiny"), 2, 2, 2, 5, 0, 2, 4, {}},
      {"gpt2", Builtin("gpt2"), 12, 12, 0, 25, 12, 0, 0, {}},
      {"bert-base", Builtin("bert-base"), 12, 0, 0, 25, 12, 0, 0, {}},
      {"minilm-l6", Builtin("minilm-l6"), 6, 0, 0, 13, 6, 0, 0, {}},
  };
  for (const std::string opset : {"13", "17"}) {
    models.push_back({"gpt2_opset" + opset, Fixture("gpt2_opset" + opset + ".onnx"), 2, 2, 0, 5, 2,
                      0, 0, cases});
    models.push_back({"bert_opset" + opset, Fixture("bert_opset" + opset + ".onnx"), 2, 0, 0, 5, 2,
                      0, 0, cases});
    // Llama's causal mask (arange comparison, expanded) and repeat_kv (expand + reshape)
    // are proven once the shape arithmetic around them is folded.
    models.push_back({"llama_opset" + opset, Fixture("llama_opset" + opset + ".onnx"), 2, 2, 2, 5,
                      0, 2, 4, cases});
  }
  return models;
}

INSTANTIATE_TEST_SUITE_P(Models, FusionModelsTest, ::testing::ValuesIn(Models()),
                         [](const ::testing::TestParamInfo<Expected>& info) {
                           std::string name = info.param.model;
                           for (char& c : name) c = (c == '-') ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace hetero::passes
