// `bench compare` per op: rows matched by node and device inside matched results, ratios
// with intervals from per-op samples, medians only (and said so) without them, the most
// changed first and cut to the number asked.
#include "profiler/compare.h"

#include <gtest/gtest.h>

namespace hetero::profiler {
namespace {

OpRow Op(const std::string& node, const std::string& device, double ms, bool samples) {
  OpRow op;
  op.node = node;
  op.op = "MatMul";
  op.device = device;
  op.time_ms = ms;
  if (samples) {
    for (int i = 0; i < 30; ++i) op.samples_ms.push_back(ms * (1 + 0.002 * (i % 7)));
  }
  return op;
}

BenchResult Result(const std::vector<OpRow>& ops) {
  BenchResult r;
  r.label = "cpu";
  r.devices = "cpu";
  for (int i = 0; i < 30; ++i) r.wall_ms.push_back(1 + 0.01 * (i % 5));
  r.ops = ops;
  return r;
}

BenchReport Report(const std::vector<OpRow>& ops) {
  BenchReport report;
  report.results.push_back(Result(ops));
  return report;
}

TEST(CompareOpsTest, MatchesByNodeAndDeviceWithIntervals) {
  const BenchReport a = Report({Op("mm_0", "cpu", 1.0, true), Op("add_1", "cpu", 0.2, true),
                                Op("gone", "cpu", 0.1, true), Op("moved", "cpu", 0.3, true)});
  const BenchReport b = Report({Op("mm_0", "cpu", 0.5, true), Op("add_1", "cpu", 0.2, true),
                                Op("moved", "opencl:0", 0.3, true), Op("new", "cpu", 0.1, true)});
  const Comparison c = CompareReports(a, b);
  ASSERT_EQ(c.ops.size(), 2u);
  EXPECT_EQ(c.ops_only_in_a, 2u);  // "gone", and "moved" on cpu
  EXPECT_EQ(c.ops_only_in_b, 2u);  // "new", and "moved" on opencl:0
  // The most changed first: mm_0 halved, add_1 unchanged.
  const OpComparisonRow& mm = c.ops[0];
  EXPECT_EQ(mm.node, "mm_0");
  EXPECT_EQ(mm.result, "cpu · single");
  EXPECT_TRUE(mm.has_interval);
  EXPECT_NEAR(mm.ratio.estimate, 0.5, 1e-9);
  EXPECT_LE(mm.ratio.low, 0.5);
  EXPECT_GE(mm.ratio.high, 0.5);
  EXPECT_LT(mm.ratio.high, 1.0);
  EXPECT_TRUE(mm.significant);
  const OpComparisonRow& add = c.ops[1];
  EXPECT_EQ(add.node, "add_1");
  EXPECT_NEAR(add.ratio.estimate, 1.0, 1e-9);
  EXPECT_FALSE(add.significant);

  const std::string top1 = ComparisonMarkdown(c, "a.json", "b.json", 1);
  EXPECT_NE(top1.find("The 1 most changed of 2"), std::string::npos) << top1;
  EXPECT_NE(top1.find("| cpu · single | mm_0 | MatMul | cpu |"), std::string::npos) << top1;
  EXPECT_EQ(top1.find("| add_1 |"), std::string::npos);
  const std::string all = ComparisonMarkdown(c, "a.json", "b.json", 0);
  EXPECT_NE(all.find("| add_1 |"), std::string::npos);
  EXPECT_EQ(all.find("medians only"), std::string::npos);
  EXPECT_NE(all.find("2 in A, 2 in B"), std::string::npos);
}

TEST(CompareOpsTest, MediansOnlyGiveARatioWithoutIntervalAndSaySo) {
  const BenchReport a = Report({Op("mm_0", "cpu", 1.0, false)});
  const BenchReport b = Report({Op("mm_0", "cpu", 0.8, true)});  // samples on one side only
  const Comparison c = CompareReports(a, b);
  ASSERT_EQ(c.ops.size(), 1u);
  EXPECT_FALSE(c.ops[0].has_interval);
  EXPECT_FALSE(c.ops[0].significant);
  EXPECT_NEAR(c.ops[0].ratio.estimate, 0.8, 1e-12);
  EXPECT_EQ(c.ops[0].ratio.low, 0);
  const std::string md = ComparisonMarkdown(c, "a.json", "b.json");
  EXPECT_NE(md.find("medians only †"), std::string::npos) << md;
  EXPECT_NE(md.find("schema 1.0"), std::string::npos);
}

TEST(CompareOpsTest, OpsThatDidNotRunAreNotCompared) {
  OpRow fused = Op("relu_2", "cpu", 0, false);
  fused.status = "fused";
  const Comparison c = CompareReports(Report({fused}), Report({fused}));
  EXPECT_TRUE(c.ops.empty());
  EXPECT_NE(ComparisonMarkdown(c, "a", "b").find("No op ran in both"), std::string::npos);
}

}  // namespace
}  // namespace hetero::profiler
