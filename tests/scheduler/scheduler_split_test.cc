// Built-in transformer models split across cpu and every other device present (opencl:0
// on PoCL, the simulated NPU, the "partial:0" test plugin): alternate layers and round
// robin by node, run by the flow scheduler, match the reference executor.
#include <gtest/gtest.h>

#include <set>

#include "compiler/builtin/builtin.h"
#include "runtime/session/reference_executor.h"
#include "tests/scheduler/split_support.h"

namespace hetero::testing {
namespace {

struct Case {
  std::string model;
  std::string device;
  SplitPolicy policy;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.model + "_" + info.param.device + "_" +
                     (info.param.policy == SplitPolicy::kRoundRobin ? "round_robin" : "layers");
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class SplitTest : public ::testing::TestWithParam<Case> {};

TEST_P(SplitTest, MatchesReference) {
  const Case& c = GetParam();
  auto registry = TestRegistry();
  if (!registry->FindDevice(c.device).ok()) {
    GTEST_SKIP() << c.device << " is not present on this machine: " << registry->DeviceNames();
  }
  auto compiled = CompileSplit(*registry, "builtin:" + c.model, {"cpu", c.device}, c.policy);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  const PartitionedExecutor& executor = *(*compiled)->executor;
  std::set<std::string> used;
  for (size_t s = 0; s < executor.num_segments(); ++s) used.insert(executor.SegmentDevice(s));
  if (used.size() < 2) {
    GTEST_SKIP() << c.device << " runs none of " << c.model
                 << "'s nodes (its support answers said no to all of them)";
  }
  EXPECT_GE(executor.num_segments(), 3u) << "a forced split should alternate devices";
  for (auto [batch, seq] : std::vector<std::pair<int64_t, int64_t>>{{1, 7}, {2, 16}}) {
    auto inputs = BuiltinSampleInputs(c.model, batch, seq);
    ASSERT_TRUE(inputs.ok());
    auto expected = RunReference(*(*compiled)->model.graph, *inputs);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    auto result = (*compiled)->scheduler->Run(*inputs);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    const double diff = MaxAbsDiff(Ordered(*(*compiled)->model.graph, *result), *expected);
    EXPECT_LT(diff, 1e-3) << c.model << " on cpu+" << c.device << " batch " << batch << " seq "
                          << seq << ", " << executor.num_segments() << " segments";
  }
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const char* model : {"gpt2-tiny", "bert-tiny", "llama-tiny"}) {
    for (const char* device : {"partial:0", "opencl:0", "npu-sim:npu-small"}) {
      for (SplitPolicy policy : {SplitPolicy::kRoundRobin, SplitPolicy::kAlternateLayer}) {
        cases.push_back({model, device, policy});
      }
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Models, SplitTest, ::testing::ValuesIn(AllCases()), CaseName);

// Placement with a device that claims only some ops: the claimed heavy ops go to it, the
// rest to cpu, and the result matches.
TEST(PartialPlacementTest, SubsetDeviceTakesWhatItClaims) {
  auto registry = TestRegistry();
  auto compiled =
      CompileSplit(*registry, "builtin:bert-tiny", {"partial:0", "cpu"}, SplitPolicy::kAutomatic);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  const placement::PlacementPlan& plan = (*compiled)->executor->plan();
  const std::set<std::string> claimed = {"MatMul", "FusedMatMul", "Add", "Gelu"};
  size_t on_partial = 0;
  for (const placement::Segment& segment : plan.segments) {
    for (const ir::Node* node : segment.nodes) {
      if (plan.devices[segment.device] == "partial:0") {
        EXPECT_TRUE(claimed.count(node->op()))
            << node->name() << " (" << node->op() << ") placed on a device that declined it";
        ++on_partial;
      }
    }
  }
  EXPECT_GT(on_partial, 0u) << placement::FormatPlan(plan);
  auto inputs = BuiltinSampleInputs("bert-tiny", 2, 9);
  ASSERT_TRUE(inputs.ok());
  auto expected = RunReference(*(*compiled)->model.graph, *inputs);
  ASSERT_TRUE(expected.ok());
  auto result = (*compiled)->scheduler->Run(*inputs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_LT(MaxAbsDiff(Ordered(*(*compiled)->model.graph, *result), *expected), 1e-4);
}

}  // namespace
}  // namespace hetero::testing
