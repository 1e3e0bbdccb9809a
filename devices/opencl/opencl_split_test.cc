// Models split between opencl:0 and cpu by placement pins (round robin by node, and
// alternate layers) against the reference executor within 1e-4.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/builtin/builtin.h"
#include "compiler/onnx/importer.h"
#include "compiler/passes/pipeline.h"
#include "runtime/io/npy.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

constexpr double kTolerance = 1e-4;

// opencl:0 and cpu, or empty (the test skips) when the machine has no OpenCL device.
std::vector<std::shared_ptr<plugins::Device>> OpenclAndCpu() {
  static auto* registry = plugins::LoadPluginRegistry({HETERO_OPENCL_PLUGIN_PATH}, 0).release();
  auto opencl = registry->OpenDevice("opencl:0");
  auto cpu = registry->OpenDevice("cpu");
  if (!opencl.ok() || !cpu.ok()) return {};
  return {*opencl, *cpu};
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

// The layer index in a node name such as "h.3.attn/MatMul", "/h.3/attn/MatMul" or
// "layers.1/...", or -1.
int LayerOf(const std::string& name) {
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (name[i] == '.' && std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
      return std::atoi(name.c_str() + i + 1);
    }
  }
  return -1;
}

enum class Split { kRoundRobin, kAlternateLayers };

const char* SplitName(Split split) {
  return split == Split::kRoundRobin ? "round robin" : "alternate layers";
}

// Pins every node by name: odd nodes (round robin) or odd layers to `cpu`, the rest to
// `opencl` (device names as the registry gave them).
placement::PlacementOptions Pins(const ir::Graph& graph, Split split, const std::string& opencl,
                                 const std::string& cpu) {
  placement::PlacementOptions options;
  options.min_segment_nodes = 1;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const std::string& name = graph.nodes()[i]->name();
    const int layer = LayerOf(name);
    const bool on_cpu = split == Split::kRoundRobin ? i % 2 == 1 : layer >= 0 && layer % 2 == 1;
    options.pins.push_back({name, on_cpu ? cpu : opencl});
  }
  return options;
}

// Runs `graph` (after the default pipeline) split by `split` for each input set; both
// devices must get segments.
void RunSplit(ir::Graph& graph, Split split,
              const std::vector<std::map<std::string, Tensor>>& cases, const std::string& what) {
  auto devices = OpenclAndCpu();
  if (devices.empty()) GTEST_SKIP() << "no OpenCL device on this machine";
  auto reports = passes::Pipeline::Default().Run(graph);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  // Shape arithmetic runs on the host only when its inputs are host-known within the
  // segment; a split can cut such a chain, and the device then declines the node at
  // compile naming it. Those nodes move to cpu (the error names them) and we retry.
  placement::PlacementOptions options = Pins(graph, split, devices[0]->name(), devices[1]->name());
  auto executor = PartitionedExecutor::Create(graph, devices, options);
  const std::string kDeclined = "does not run node '";
  for (int moved = 0; !executor.ok() && moved < 32; ++moved) {
    const std::string message = executor.status().message();
    const size_t at = message.find(kDeclined);
    if (at == std::string::npos) break;
    const size_t begin = at + kDeclined.size(), end = message.find('\'', begin);
    const std::string node = message.substr(begin, end - begin);
    for (auto& pin : options.pins) {
      if (pin.key == node) pin.device = devices[1]->name();
    }
    executor = PartitionedExecutor::Create(graph, devices, options);
  }
  std::set<std::string> used;
  for (size_t s = 0; s < (*executor)->num_segments(); ++s)
    used.insert((*executor)->SegmentDevice(s));
  EXPECT_EQ(used.size(), 2u) << what << ": segments on both devices";
  EXPECT_GT((*executor)->num_segments(), split == Split::kRoundRobin ? 10u : 2u) << what;
  for (const auto& inputs : cases) {
    auto want = RunReference(graph, inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = (*executor)->Run(inputs);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status().ToString();
    ExpectClose(*want, *got, what);
  }
}

class BuiltinSplit : public ::testing::TestWithParam<std::tuple<const char*, Split>> {};

TEST_P(BuiltinSplit, MatchesTheReferenceExecutor) {
  auto [name, split] = GetParam();
  auto model = LoadModel(std::string("builtin:") + name);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::vector<std::map<std::string, Tensor>> cases;
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 7}, {2, 5}}) {
    auto inputs = BuiltinSampleInputs(name, batch, seq);
    ASSERT_TRUE(inputs.ok());
    cases.push_back(std::move(*inputs));
  }
  RunSplit(*model->graph, split, cases, std::string(name) + ", " + SplitName(split));
}

INSTANTIATE_TEST_SUITE_P(
    Models, BuiltinSplit,
    ::testing::Combine(::testing::Values("gpt2-tiny", "bert-tiny", "llama-tiny"),
                       ::testing::Values(Split::kRoundRobin, Split::kAlternateLayers)));

class FixtureSplit : public ::testing::TestWithParam<std::tuple<const char*, Split>> {};

TEST_P(FixtureSplit, MatchesTheReferenceExecutor) {
  const std::map<std::string, std::vector<std::string>> kInputs = {
      {"gpt2", {"input_ids"}},
      {"bert", {"input_ids", "attention_mask", "token_type_ids"}},
      {"llama", {"input_ids"}}};
  auto [name, split] = GetParam();
  const std::string model = name;
  const std::string dir = std::string(HETERO_SOURCE_DIR) + "/tests/models/";
  auto graph = ImportOnnxFile(dir + model + "_opset17.onnx");
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  std::vector<std::map<std::string, Tensor>> cases;
  for (const char* c : {"b2s7", "b1s11"}) {
    std::map<std::string, Tensor> inputs;
    for (const std::string& input : kInputs.at(model)) {
      auto t = ReadNpy(dir + model + "/" + input + "_" + c + ".npy");
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      inputs[input] = std::move(*t);
    }
    cases.push_back(std::move(inputs));
  }
  RunSplit(**graph, split, cases, model + " opset 17, " + SplitName(split));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureSplit,
                         ::testing::Combine(::testing::Values("gpt2", "bert", "llama"),
                                            ::testing::Values(Split::kRoundRobin,
                                                              Split::kAlternateLayers)));

}  // namespace
}  // namespace hetero
