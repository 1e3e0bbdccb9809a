// The default pipeline keeps what a model computes: fixture models (ONNX from PyTorch) and
// the tiny built-ins run on the reference executor before and after it, and every output
// element must agree within 1e-4 (relative above 1, absolute below).
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "compiler/builtin/builtin.h"
#include "compiler/ir/verifier.h"
#include "compiler/onnx/importer.h"
#include "compiler/passes/pipeline.h"
#include "gtest/gtest.h"
#include "runtime/io/npy.h"
#include "runtime/session/reference_executor.h"

namespace hetero::passes {
namespace {

constexpr double kTolerance = 1e-4;

std::string RepoRoot() { return HETERO_SOURCE_DIR; }

// Empty when every element agrees; else how many do not and the worst one.
std::string Compare(const Tensor& got, const Tensor& want) {
  if (got.dims() != want.dims() || got.dtype() != want.dtype()) {
    return "type " + got.type().ToString() + ", expected " + want.type().ToString();
  }
  int64_t bad = 0, worst = 0;
  double worst_excess = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double g = got.GetDouble(i), w = want.GetDouble(i);
    const double excess = std::fabs(g - w) / (kTolerance * std::max(std::fabs(w), 1.0));
    if (!(excess <= 1.0) && !(std::isnan(g) && std::isnan(w))) {
      ++bad;
      if (!(excess <= worst_excess)) worst_excess = excess, worst = i;
    }
  }
  if (bad == 0) return "";
  return std::to_string(bad) + " elements differ; worst at " + std::to_string(worst) + ": " +
         std::to_string(got.GetDouble(worst)) + " vs " + std::to_string(want.GetDouble(worst));
}

// Runs `graph` before and after the default pipeline on `inputs` and compares.
void ExpectSameOutputs(std::unique_ptr<ir::Graph> graph,
                       const std::map<std::string, Tensor>& inputs) {
  auto before = RunReference(*graph, inputs);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  std::vector<std::string> names;
  for (const ir::Value* out : graph->outputs()) names.push_back(out->name());
  const size_t nodes_before = graph->num_nodes();

  PipelineOptions options;
  options.verify = true;
  auto reports = Pipeline::Default().Run(*graph, options);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_TRUE(ir::VerifyGraph(*graph).ok());
  EXPECT_LT(graph->num_nodes(), nodes_before) << "the pipeline did nothing";
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(graph->outputs()[i]->name(), names[i]) << "graph output renamed";
  }

  auto after = RunReference(*graph, inputs);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ(Compare((*after)[i], (*before)[i]), "") << "output " << names[i];
  }
}

struct Fixture {
  std::string model;
  std::vector<std::string> inputs;
};

class FixtureNumerics : public ::testing::TestWithParam<std::tuple<std::string, int, std::string>> {
};

TEST_P(FixtureNumerics, DefaultPipelineKeepsOutputs) {
  const auto& [model, opset, case_name] = GetParam();
  static const std::map<std::string, std::vector<std::string>> kInputs = {
      {"gpt2", {"input_ids"}},
      {"bert", {"input_ids", "attention_mask", "token_type_ids"}},
      {"llama", {"input_ids"}}};
  const std::string dir = RepoRoot() + "/tests/models/";
  std::map<std::string, Tensor> inputs;
  for (const std::string& name : kInputs.at(model)) {
    auto t = ReadNpy(dir + model + "/" + name + "_" + case_name + ".npy");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    inputs[name] = *t;
  }
  auto graph = ImportOnnxFile(dir + model + "_opset" + std::to_string(opset) + ".onnx");
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  ExpectSameOutputs(std::move(*graph), inputs);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureNumerics,
                         ::testing::Combine(::testing::Values("gpt2", "bert", "llama"),
                                            ::testing::Values(13, 17),
                                            ::testing::Values("b2s7", "b1s11")));

class BuiltinNumerics : public ::testing::TestWithParam<std::string> {};

TEST_P(BuiltinNumerics, DefaultPipelineKeepsOutputs) {
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{2, 7}, {1, 11}}) {
    SCOPED_TRACE("batch " + std::to_string(batch) + " seq " + std::to_string(seq));
    auto graph = BuildBuiltinModel(GetParam());
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    auto inputs = BuiltinSampleInputs(GetParam(), batch, seq);
    ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
    ExpectSameOutputs(std::move(*graph), *inputs);
  }
}

INSTANTIATE_TEST_SUITE_P(Tiny, BuiltinNumerics,
                         ::testing::Values("gpt2-tiny", "bert-tiny", "llama-tiny"));

// At the fixed point a second run of the default pipeline changes nothing: no pass
// claims a change it did not make, and no two passes undo each other.
TEST(DefaultPipeline, SecondRunChangesNothing) {
  for (const char* name : {"gpt2-tiny", "bert-tiny", "llama-tiny"}) {
    auto graph = BuildBuiltinModel(name);
    ASSERT_TRUE(graph.ok());
    ASSERT_TRUE(Pipeline::Default().Run(**graph).ok());
    auto again = Pipeline::Default().Run(**graph);
    ASSERT_TRUE(again.ok());
    for (const PassReport& r : *again) EXPECT_FALSE(r.changed) << name << ": " << r.name;
  }
}

}  // namespace
}  // namespace hetero::passes
