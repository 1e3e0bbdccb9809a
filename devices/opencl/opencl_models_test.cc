// Whole models on opencl:0 (built-ins and the ONNX fixtures, after the default pass
// pipeline) against the reference executor within 1e-4.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "compiler/builtin/builtin.h"
#include "compiler/onnx/importer.h"
#include "compiler/passes/pipeline.h"
#include "runtime/io/npy.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/device_executor.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

constexpr double kTolerance = 1e-4;

// opencl:0, or null (the test skips) when the machine has no OpenCL device.
std::shared_ptr<plugins::Device> OpenclDevice() {
  static auto* registry = plugins::LoadPluginRegistry({HETERO_OPENCL_PLUGIN_PATH}, 0).release();
  auto device = registry->OpenDevice("opencl:0");
  return device.ok() ? *device : nullptr;
}

void ExpectClose(const std::vector<Tensor>& want, const std::vector<Tensor>& got,
                 const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want[i].type(), got[i].type()) << what << " output " << i;
    int64_t bad = 0;
    double worst = 0;
    for (int64_t e = 0; e < want[i].num_elements(); ++e) {
      const double w = want[i].GetDouble(e), g = got[i].GetDouble(e);
      const double err = std::fabs(w - g) / std::max(1.0, std::fabs(w));
      if (!(err <= kTolerance)) ++bad;
      worst = std::max(worst, err);
    }
    EXPECT_EQ(bad, 0) << what << " output " << i << ": worst scaled error " << worst;
  }
}

// Runs `graph` (after the default pipeline) on opencl:0 for each input set.
void RunOnOpencl(ir::Graph& graph, const std::vector<std::map<std::string, Tensor>>& cases,
                 const std::string& what) {
  auto device = OpenclDevice();
  if (device == nullptr) GTEST_SKIP() << "no OpenCL device on this machine";
  auto reports = passes::Pipeline::Default().Run(graph);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  auto executor = DeviceExecutor::Create(graph, device);
  ASSERT_TRUE(executor.ok()) << what << ": " << executor.status().ToString();
  for (const auto& inputs : cases) {
    auto want = RunReference(graph, inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = (*executor)->Run(inputs);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
    ExpectClose(*want, *got, what);
  }
}

class BuiltinOnOpencl : public ::testing::TestWithParam<const char*> {};

TEST_P(BuiltinOnOpencl, MatchesTheReferenceExecutor) {
  auto model = LoadModel(std::string("builtin:") + GetParam());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::vector<std::map<std::string, Tensor>> cases;
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 7}, {2, 5}}) {
    auto inputs = BuiltinSampleInputs(GetParam(), batch, seq);
    ASSERT_TRUE(inputs.ok());
    cases.push_back(std::move(*inputs));
  }
  RunOnOpencl(*model->graph, cases, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Models, BuiltinOnOpencl,
                         ::testing::Values("gpt2-tiny", "bert-tiny", "llama-tiny"));

struct Fixture {
  std::string model;
  std::vector<std::string> inputs;
};

class FixtureOnOpencl : public ::testing::TestWithParam<std::pair<const char*, int>> {};

TEST_P(FixtureOnOpencl, MatchesTheReferenceExecutor) {
  const std::map<std::string, std::vector<std::string>> kInputs = {
      {"gpt2", {"input_ids"}},
      {"bert", {"input_ids", "attention_mask", "token_type_ids"}},
      {"llama", {"input_ids"}}};
  const std::string model = GetParam().first;
  const std::string dir = std::string(HETERO_SOURCE_DIR) + "/tests/models/";
  auto graph = ImportOnnxFile(dir + model + "_opset" + std::to_string(GetParam().second) + ".onnx");
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  std::vector<std::map<std::string, Tensor>> cases;
  for (const char* c : {"b2s7", "b1s11"}) {
    std::map<std::string, Tensor> inputs;
    for (const std::string& name : kInputs.at(model)) {
      auto t = ReadNpy(dir + model + "/" + name + "_" + c + ".npy");
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      inputs[name] = std::move(*t);
    }
    cases.push_back(std::move(inputs));
  }
  RunOnOpencl(**graph, cases, model + " opset " + std::to_string(GetParam().second));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureOnOpencl,
                         ::testing::Values(std::pair<const char*, int>{"gpt2", 13},
                                           std::pair<const char*, int>{"gpt2", 17},
                                           std::pair<const char*, int>{"bert", 13},
                                           std::pair<const char*, int>{"bert", 17},
                                           std::pair<const char*, int>{"llama", 13},
                                           std::pair<const char*, int>{"llama", 17}));

}  // namespace
}  // namespace hetero
