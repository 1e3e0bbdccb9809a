// Tests of Place(): support, pins, --no-fallback, cost choices, transfers and merging.
#include "compiler/placement/placement.h"

#include <gtest/gtest.h>

#include "compiler/placement/placement_test_util.h"

namespace hetero::placement {
namespace {

using testing::MakeDevice;
using testing::SmallChain;

std::string DeviceOf(const PlacementPlan& plan, std::string_view node) {
  for (const NodePlacement& placed : plan.nodes) {
    if (placed.node->name() == node) return plan.devices[placed.device];
  }
  return "";
}

std::string ReasonOf(const PlacementPlan& plan, std::string_view node) {
  for (const NodePlacement& placed : plan.nodes) {
    if (placed.node->name() == node) return placed.reason;
  }
  return "";
}

TEST(PlacementTest, FasterDeviceTakesEverything) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("slow", *graph, 1, 1, 0),
                                     MakeDevice("fast", *graph, 1000, 100, 0)};
  auto plan = Place(*graph, devices, PlacementOptions{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->segments.size(), 1u);
  EXPECT_EQ(plan->devices[plan->segments[0].device], "fast");
  EXPECT_NE(ReasonOf(*plan, "mm1").find("cheapest: fast"), std::string::npos)
      << ReasonOf(*plan, "mm1");
}

TEST(PlacementTest, UnsupportedOpsFallBackWithReason) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {
      MakeDevice("npu", *graph, 1000, 100, 10, {"MatMul", "Add", "Relu"}),
      MakeDevice("cpu", *graph, 1, 1, 0)};
  auto plan = Place(*graph, devices, PlacementOptions{});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(DeviceOf(*plan, "softmax"), "cpu");
  std::string reason = ReasonOf(*plan, "softmax");
  EXPECT_NE(reason.find("npu does not support Softmax (op not in the device's list)"),
            std::string::npos)
      << reason;
  EXPECT_EQ(DeviceOf(*plan, "mm1"), "npu");
}

TEST(PlacementTest, NoFallbackListsEveryUnsupportedNode) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("npu", *graph, 1000, 100, 10, {"MatMul", "Add"}),
                                     MakeDevice("cpu", *graph, 1, 1, 0)};
  PlacementOptions options;
  options.no_fallback = true;
  auto plan = Place(*graph, devices, options);
  ASSERT_FALSE(plan.ok());
  std::string message = plan.status().ToString();
  EXPECT_NE(message.find("relu1"), std::string::npos) << message;
  EXPECT_NE(message.find("softmax"), std::string::npos) << message;
  EXPECT_EQ(message.find("mm1"), std::string::npos) << message;
}

TEST(PlacementTest, PinsByOpAndByNameWithNameWinning) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("a", *graph, 1000, 100, 0),
                                     MakeDevice("b", *graph, 1, 1, 0)};
  PlacementOptions options;
  options.pins = {{"MatMul", "b"}, {"mm2", "a"}};
  auto plan = Place(*graph, devices, options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(DeviceOf(*plan, "mm1"), "b");
  EXPECT_EQ(DeviceOf(*plan, "mm2"), "a");
  EXPECT_EQ(ReasonOf(*plan, "mm1"), "pinned by --pin MatMul=b");
  EXPECT_EQ(ReasonOf(*plan, "mm2"), "pinned by --pin mm2=a");
}

TEST(PlacementTest, BadPinsFail) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("a", *graph, 1, 1, 0, {"MatMul"}),
                                     MakeDevice("b", *graph, 1, 1, 0)};
  PlacementOptions options;
  options.pins = {{"Relu", "a"}};
  auto plan = Place(*graph, devices, options);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().ToString().find("a does not support Relu"), std::string::npos);
  options.pins = {{"Relu", "nowhere"}};
  EXPECT_EQ(Place(*graph, devices, options).status().code(), StatusCode::kNotFound);
  options.pins = {{"Conv", "a"}};  // matches no node and no op of the graph
  auto unused = Place(*graph, devices, options);
  EXPECT_EQ(unused.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unused.status().message().find("Conv"), std::string::npos);
  EXPECT_FALSE(ParsePin("Relu").ok());
  EXPECT_FALSE(ParsePin("=cpu").ok());
  auto pin = ParsePin("Attention=cpu");
  ASSERT_TRUE(pin.ok());
  EXPECT_EQ(pin->key, "Attention");
  EXPECT_EQ(pin->device, "cpu");
}

TEST(PlacementTest, NoDeviceForANodeFails) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("a", *graph, 1, 1, 0, {"MatMul"}),
                                     MakeDevice("b", *graph, 1, 1, 0, {"Add", "Relu"})};
  auto plan = Place(*graph, devices, PlacementOptions{});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().ToString().find("softmax"), std::string::npos);
}

// Relu alone is a little cheaper on "b", but b sits behind a slow link: moving it
// costs two transfers, so it stays with its neighbours on "a", and says why.
TEST(PlacementTest, TransfersKeepANodeWithItsNeighbours) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("a", *graph, 1000, 100, 0),
                                     MakeDevice("b", *graph, 1000, 100, 0.01, {"Relu"}, 0)};
  PlacementOptions options;
  options.min_segment_nodes = 1;
  auto plan = Place(*graph, devices, options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(DeviceOf(*plan, "relu1"), "a");
  EXPECT_NE(ReasonOf(*plan, "relu1").find("fewer transfers"), std::string::npos)
      << ReasonOf(*plan, "relu1");
  // With a fast link it moves.
  devices[1].host_link_bandwidth = 1e15;
  devices[1].launch_overhead_s = 0;
  options.segment_overhead_s = 0;
  plan = Place(*graph, devices, options);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(DeviceOf(*plan, "relu1"), "b");
  EXPECT_EQ(plan->segments.size(), 3u);
}

TEST(PlacementTest, SmallSegmentsAreMerged) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("a", *graph, 1000, 100, 0),
                                     MakeDevice("b", *graph, 1000, 100, 1e6, {"Relu"}, 0)};
  devices[1].peak_flops[0] *= 1.01;
  devices[1].memory_bandwidth *= 1.01;
  PlacementOptions options;
  options.segment_overhead_s = 0;
  options.min_segment_nodes = 1;
  auto plan = Place(*graph, devices, options);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(DeviceOf(*plan, "relu1"), "b");  // a shade cheaper, nearly free transfers
  options.min_segment_nodes = 3;
  options.merge_tolerance = 0.5;
  plan = Place(*graph, devices, options);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(DeviceOf(*plan, "relu1"), "a");
  EXPECT_EQ(plan->segments.size(), 1u);
  EXPECT_NE(ReasonOf(*plan, "relu1").find("merged"), std::string::npos);
}

TEST(PlacementTest, ExplainNamesEverySegmentAndNode) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("npu", *graph, 1000, 100, 10, {"MatMul"}),
                                     MakeDevice("cpu", *graph, 1, 1, 0)};
  auto plan = Place(*graph, devices, PlacementOptions{});
  ASSERT_TRUE(plan.ok());
  std::string text = FormatPlan(*plan);
  for (const auto& node : graph->nodes()) {
    EXPECT_NE(text.find("  " + node->name() + " (" + node->op() + "): "), std::string::npos)
        << text;
  }
  for (size_t s = 0; s < plan->segments.size(); ++s) {
    EXPECT_NE(text.find("segment " + std::to_string(s) + " on "), std::string::npos) << text;
  }
  EXPECT_EQ(FormatSeconds(12.3e-6), "12.3 µs");
  EXPECT_EQ(FormatSeconds(1.5e-3), "1.5 ms");
}

// Measured times (--profile-guided) overrule the datasheet: "fast" promises 1000x but was
// measured slower than "slow" on the two MatMuls, and its other predictions are scaled
// by the same ratio, so everything moves to "slow".
TEST(PlacementTest, MeasuredTimesReplacePredictions) {
  auto graph = SmallChain();
  std::vector<DeviceInfo> devices = {MakeDevice("slow", *graph, 1, 1, 0),
                                     MakeDevice("fast", *graph, 1000, 100, 0)};
  auto predicted = Place(*graph, devices, PlacementOptions{});
  ASSERT_TRUE(predicted.ok());
  ASSERT_EQ(DeviceOf(*predicted, "mm1"), "fast");
  PlacementOptions options;
  options.measured_s["mm1"] = {{"fast", 1.0}, {"slow", 1e-3}};
  options.measured_s["mm2"] = {{"fast", 1.0}};
  auto plan = Place(*graph, devices, options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(DeviceOf(*plan, "mm1"), "slow") << FormatPlan(*plan);
  EXPECT_EQ(DeviceOf(*plan, "softmax"), "slow") << FormatPlan(*plan);
  // A measurement for a node or device the graph does not have is ignored.
  options.measured_s = {{"no_such_node", {{"fast", 5.0}}}, {"mm1", {{"no_such_device", 5.0}}}};
  auto ignored = Place(*graph, devices, options);
  ASSERT_TRUE(ignored.ok());
  EXPECT_EQ(DeviceOf(*ignored, "mm1"), "fast");
}

}  // namespace
}  // namespace hetero::placement
