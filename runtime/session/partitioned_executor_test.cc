// PartitionedExecutor against the reference executor under forced splits across two
// CPU plugin devices: round robin by node, alternate layers, and a placed split.
#include "runtime/session/partitioned_executor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "compiler/builtin/builtin.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/reference_executor.h"
#include "runtime/session/segment_graph.h"

namespace hetero {
namespace {

// Two devices of the built-in CPU plugin, named "cpu" and "cpu-b".
std::vector<std::shared_ptr<plugins::Device>> TwoCpus() {
  static auto* registry = plugins::LoadPluginRegistry({}, 0).release();
  auto first = registry->OpenDevice("cpu");
  EXPECT_TRUE(first.ok()) << first.status().ToString();
  if (!first.ok()) return {};
  auto second = (*first)->plugin().OpenDevice(0, "cpu-b");
  EXPECT_TRUE(second.ok()) << second.status().ToString();
  if (!second.ok()) return {};
  return {*first, *second};
}

void ExpectClose(const std::vector<Tensor>& want, const std::vector<Tensor>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want[i].type(), got[i].type()) << "output " << i;
    int64_t bad = 0;
    for (int64_t e = 0; e < want[i].num_elements(); ++e) {
      const double w = want[i].GetDouble(e), g = got[i].GetDouble(e);
      if (!(std::fabs(w - g) <= 1e-4 * std::max(1.0, std::fabs(w)))) ++bad;
    }
    EXPECT_EQ(bad, 0) << "output " << i << ": elements differ from the reference";
  }
}

// The layer index in a node name such as "h.3.attn/MatMul" or "layers.1/...", or -1.
int LayerOf(const std::string& name) {
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (name[i] == '.' && std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
      return std::atoi(name.c_str() + i + 1);
    }
  }
  return -1;
}

enum class Split { kRoundRobin, kAlternateLayers };

placement::PlacementOptions Pins(const ir::Graph& graph, Split split) {
  placement::PlacementOptions options;
  options.min_segment_nodes = 1;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const std::string& name = graph.nodes()[i]->name();
    int layer = LayerOf(name);
    bool second = split == Split::kRoundRobin ? i % 2 == 1 : layer >= 0 && layer % 2 == 1;
    options.pins.push_back({name, second ? "cpu-b" : "cpu"});
  }
  return options;
}

class ForcedSplit : public ::testing::TestWithParam<std::tuple<const char*, Split>> {};

TEST_P(ForcedSplit, MatchesTheReferenceExecutor) {
  auto [name, split] = GetParam();
  auto model = LoadModel(std::string("builtin:") + name);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto devices = TwoCpus();
  ASSERT_EQ(devices.size(), 2u);
  auto executor = PartitionedExecutor::Create(*model->graph, devices, Pins(*model->graph, split));
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  EXPECT_GT((*executor)->num_segments(), split == Split::kRoundRobin ? 10u : 1u);
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 7}, {2, 5}}) {
    auto inputs = BuiltinSampleInputs(name, batch, seq);
    ASSERT_TRUE(inputs.ok());
    auto want = RunReference(*model->graph, *inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = (*executor)->Run(*inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectClose(*want, *got);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, ForcedSplit,
    ::testing::Combine(::testing::Values("gpt2-tiny", "bert-tiny", "llama-tiny"),
                       ::testing::Values(Split::kRoundRobin, Split::kAlternateLayers)));

TEST(PartitionedExecutorTest, UnpinnedPlacementRunsAndExplains) {
  auto model = LoadModel("builtin:gpt2-tiny");
  ASSERT_TRUE(model.ok());
  auto devices = TwoCpus();
  ASSERT_EQ(devices.size(), 2u);
  auto executor = PartitionedExecutor::Create(*model->graph, devices, {});
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  // Identical devices: one segment, on the first (priority) device.
  ASSERT_EQ((*executor)->plan().segments.size(), 1u);
  EXPECT_EQ((*executor)->plan().segments[0].device, 0);
  auto inputs = BuiltinSampleInputs("gpt2-tiny", 1, 4);
  ASSERT_TRUE(inputs.ok());
  auto want = RunReference(*model->graph, *inputs);
  auto got = (*executor)->Run(*inputs);
  ASSERT_TRUE(want.ok() && got.ok());
  ExpectClose(*want, *got);
}

TEST(PartitionedExecutorTest, MissingInputFailsNamingIt) {
  auto model = LoadModel("builtin:gpt2-tiny");
  ASSERT_TRUE(model.ok());
  auto executor = PartitionedExecutor::Create(*model->graph, TwoCpus(),
                                              Pins(*model->graph, Split::kRoundRobin));
  ASSERT_TRUE(executor.ok());
  auto got = (*executor)->Run({});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find(model->graph->inputs()[0]->name()), std::string::npos)
      << got.status().ToString();
}

// Two branches on two devices and a join: the branches' segments depend on nothing
// (a scheduler may run them together), the join on both; RunSegment by hand works.
TEST(PartitionedExecutorTest, SegmentDependenciesFollowTheData) {
  ir::Graph graph;
  ir::Value* x = *graph.AddInput("x", TensorType{DType::kF32, Shape{2, 3}});
  ir::Value* a = x;
  ir::Value* b = x;
  for (int i = 0; i < 3; ++i) {
    a = (*graph.AddNode("Relu", {a}, {}, 1, "a" + std::to_string(i)))->output(0);
  }
  for (int i = 0; i < 3; ++i) {
    b = (*graph.AddNode("Neg", {b}, {}, 1, "b" + std::to_string(i)))->output(0);
  }
  graph.AddOutput((*graph.AddNode("Add", {a, b}, {}, 1, "join"))->output(0));
  placement::PlacementOptions options;
  options.pins = {{"Neg", "cpu-b"}, {"Relu", "cpu"}, {"Add", "cpu"}};
  options.min_segment_nodes = 1;
  auto executor = PartitionedExecutor::Create(graph, TwoCpus(), options);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  ASSERT_EQ((*executor)->num_segments(), 3u);
  EXPECT_TRUE((*executor)->SegmentDeps(0).empty());
  EXPECT_TRUE((*executor)->SegmentDeps(1).empty());
  EXPECT_EQ((*executor)->SegmentDeps(2).size(), 2u);
  EXPECT_EQ((*executor)->SegmentDevice(1), "cpu-b");
  std::map<std::string, Tensor> inputs = {{"x", Tensor::FromFloat({2, 3}, {1, -2, 3, -4, 5, -6})}};
  auto want = RunReference(graph, inputs);
  auto got = (*executor)->Run(inputs);
  ASSERT_TRUE(want.ok() && got.ok()) << got.status().ToString();
  ExpectClose(*want, *got);
}

TEST(SegmentGraphTest, BoundaryValuesBecomeInputsAndOutputs) {
  auto model = LoadModel("builtin:bert-tiny");
  ASSERT_TRUE(model.ok());
  const auto& nodes = model->graph->nodes();
  size_t half = nodes.size() / 2;
  std::vector<const ir::Node*> first, second;
  for (size_t i = 0; i < nodes.size(); ++i) (i < half ? first : second).push_back(nodes[i].get());
  auto a = ExtractSegmentGraph(*model->graph, first);
  auto b = ExtractSegmentGraph(*model->graph, second);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->num_nodes() + (*b)->num_nodes(), nodes.size());
  // Every input of the second half is a graph input, a constant-free boundary value
  // that the first half outputs.
  for (const ir::Value* input : (*b)->inputs()) {
    bool from_first = false;
    for (const ir::Value* output : (*a)->outputs()) from_first |= output->name() == input->name();
    EXPECT_TRUE(from_first || model->graph->FindValue(input->name())->is_graph_input())
        << input->name();
  }
}

}  // namespace
}  // namespace hetero
