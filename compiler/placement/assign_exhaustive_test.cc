// The assignment search against exhaustive search on random graphs of up to 12 nodes
// and 2 devices: the search must come within kFactor of the optimum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "compiler/placement/assign.h"
#include "compiler/placement/placement_test_util.h"

namespace hetero::placement {
namespace {

// The stated bound: the search's predicted latency is at most 10% above the optimum.
constexpr double kFactor = 1.10;

std::unique_ptr<ir::Graph> RandomGraph(std::mt19937& rng, int num_nodes) {
  auto graph = std::make_unique<ir::Graph>();
  std::vector<ir::Value*> values = {
      *graph->AddInput("x", TensorType{DType::kF32, Shape{Dim::Symbol("seq"), 64}})};
  ir::Value* w = *graph->AddConstant("w", Tensor::FromFloat({64, 64}, std::vector<float>(4096)));
  const char* kUnary[] = {"Relu", "Exp", "Softmax", "Tanh"};
  for (int i = 0; i < num_nodes; ++i) {
    std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
    ir::Value* a = values[pick(rng)];
    int kind = static_cast<int>(rng() % 4);
    ir::Value* out = nullptr;
    if (kind == 0) {
      out = (*graph->AddNode("MatMul", {a, w}))->output(0);
    } else if (kind == 1) {
      out = (*graph->AddNode(rng() % 2 ? "Add" : "Mul", {a, values[pick(rng)]}))->output(0);
    } else {
      out = (*graph->AddNode(kUnary[rng() % 4], {a}))->output(0);
    }
    values.push_back(out);
  }
  graph->AddOutput(values.back());
  if (rng() % 2) graph->AddOutput(values[values.size() / 2]);
  return graph;
}

DeviceInfo RandomDevice(std::mt19937& rng, const ir::Graph& graph, std::string name,
                        bool full_support) {
  std::uniform_real_distribution<double> log_scale(-1.5, 1.5);
  auto scale = [&] { return std::pow(10.0, log_scale(rng)); };
  double link = rng() % 3 == 0 ? 0 : 10 * scale();
  DeviceInfo device = testing::MakeDevice(std::move(name), graph, 100 * scale(), 20 * scale(), link,
                                          {}, 1e-6 * scale());
  if (!full_support) {
    for (size_t i = 0; i < device.supported.size(); ++i) device.supported[i] = rng() % 4 != 0;
  }
  return device;
}

TEST(AssignExhaustiveTest, SearchIsWithinFactorOfOptimum) {
  std::mt19937 rng(12345);
  double worst = 1, sum = 0;
  int trials = 0, optimal = 0;
  for (int trial = 0; trial < 300; ++trial) {
    int num_nodes = 3 + trial % 10;  // 3..12
    auto graph = RandomGraph(rng, num_nodes);
    std::vector<DeviceInfo> devices = {RandomDevice(rng, *graph, "a", trial % 2 == 0),
                                       RandomDevice(rng, *graph, "b", true)};
    PlacementOptions options;
    options.symbols["seq"] = 1 + static_cast<int64_t>(rng() % 256);
    auto order_or = graph->TopologicalOrder();
    ASSERT_TRUE(order_or.ok());
    std::vector<const ir::Node*> order(order_or->begin(), order_or->end());
    std::vector<std::vector<bool>> allowed;
    for (const ir::Node* node : order) {
      size_t k = 0;
      while (graph->nodes()[k].get() != node) ++k;
      allowed.push_back({devices[0].supported[k], devices[1].supported[k]});
    }
    CostModel model(*graph, order, devices, options, allowed);
    double found = model.Total(SearchAssignment(model, std::vector<bool>(order.size(), false)));
    double best = model.Total(ExhaustiveAssignment(model));
    ASSERT_GT(best, 0);
    double ratio = found / best;
    EXPECT_LE(ratio, kFactor) << "trial " << trial << " with " << num_nodes << " nodes";
    worst = std::max(worst, ratio);
    sum += ratio;
    optimal += ratio <= 1 + 1e-9;
    ++trials;
  }
  std::printf("search vs exhaustive over %d graphs: %d optimal, mean ratio %.4f, worst %.4f\n",
              trials, optimal, sum / trials, worst);
}

// The whole of Place(), merging small segments included, stays within
// kFactor * (1 + merge_tolerance) of the optimum.
TEST(AssignExhaustiveTest, PlaceWithMergingIsWithinFactor) {
  std::mt19937 rng(777);
  for (int trial = 0; trial < 100; ++trial) {
    auto graph = RandomGraph(rng, 4 + trial % 9);
    std::vector<DeviceInfo> devices = {RandomDevice(rng, *graph, "a", true),
                                       RandomDevice(rng, *graph, "b", true)};
    PlacementOptions options;
    auto plan = Place(*graph, devices, options);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    auto order_or = graph->TopologicalOrder();
    std::vector<const ir::Node*> order(order_or->begin(), order_or->end());
    CostModel model(*graph, order, devices, options,
                    std::vector<std::vector<bool>>(order.size(), {true, true}));
    double best = model.Total(ExhaustiveAssignment(model));
    EXPECT_LE(plan->predicted_s, best * kFactor * (1 + options.merge_tolerance)) << trial;
  }
}

}  // namespace
}  // namespace hetero::placement
