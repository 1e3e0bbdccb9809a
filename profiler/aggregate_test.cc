// Time splits, per-op rows and roofline numbers computed from hand-made events.
#include "profiler/aggregate.h"

#include <gtest/gtest.h>

#include "profiler/roofline.h"

namespace hetero::profiler {
namespace {

Event Op(const std::string& track, const std::string& name, uint64_t start, uint64_t end,
         uint64_t correlation, bool simulated = false) {
  Event e;
  e.kind = EventKind::kDeviceOp;
  e.track = track;
  e.name = name;
  e.op = "MatMul";
  e.start_ns = start;
  e.end_ns = end;
  e.correlation_id = correlation;
  e.simulated = simulated;
  e.counters = {{"flops", 2e9}, {"bytes", 1e6}};
  return e;
}

TEST(AggregateTest, SplitSumsLaunchSpansAndKeepsSimulatedApart) {
  Event copy;
  copy.kind = EventKind::kTransfer;
  copy.start_ns = 0;
  copy.end_ns = 500000;
  const InferenceSplit s =
      SplitInference({Op("cpu", "a", 1000000, 2000000, 1), Op("cpu", "b", 2500000, 3000000, 1),
                      Op("npu", "c", 0, 4000000, 2, true), copy});
  EXPECT_DOUBLE_EQ(s.device_ms, 2.0);  // 1.0 ms to 3.0 ms, one launch
  EXPECT_DOUBLE_EQ(s.simulated_ms, 4.0);
  EXPECT_DOUBLE_EQ(s.transfer_ms, 0.5);
  EXPECT_TRUE(s.has_device && s.has_simulated);
}

TEST(AggregateTest, SchedulerOverheadIsItsUnionOutsideDeviceWork) {
  Event span, launch;
  span.kind = launch.kind = EventKind::kScheduler;
  span.start_ns = 0;
  span.end_ns = 10000000;  // a segment's span, 10 ms
  launch.start_ns = 0;
  launch.end_ns = 2000000;  // its launch, inside the span
  const InferenceSplit s = SplitInference({span, launch, Op("cpu", "a", 3000000, 8000000, 1)});
  EXPECT_DOUBLE_EQ(s.scheduler_ms, 5.0);  // 10 ms covered, 5 ms of it device work
}

TEST(AggregateTest, RowsTakeMediansPercentAndRoofline) {
  OpAccumulator acc;
  acc.AddInference({Op("cpu", "mm", 0, 1000000, 1), Op("cpu", "add", 1000000, 2000000, 1)});
  acc.AddInference({Op("cpu", "mm", 0, 3000000, 2), Op("cpu", "add", 3000000, 4000000, 2)});
  acc.AddInference({Op("cpu", "mm", 0, 2000000, 3), Op("cpu", "add", 2000000, 3000000, 3)});
  DeviceInfo cpu;
  cpu.name = "cpu";
  cpu.peak_flops["f32"] = 4e12;  // ridge at 4e12 / 1e9 = 4000 FLOP/byte
  cpu.memory_bandwidth = 1e9;
  const auto rows = acc.Rows({cpu}, {}, {{"mm", "MatMul", "cpu"}, {"gone", "Add", "cpu"}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].node, "mm");
  EXPECT_DOUBLE_EQ(rows[0].time_ms, 2.0);  // median of 1, 3, 2
  EXPECT_DOUBLE_EQ(rows[0].percent, 2.0 / 3.0 * 100);
  // 2e9 FLOP in 2 ms = 1e12 FLOP/s = 1000 GFLOP/s; intensity 2000 < ridge: memory bound,
  // attainable 1e9 * 2000 = 2e12, attainment 0.5.
  EXPECT_DOUBLE_EQ(rows[0].gflops_per_s, 1000);
  EXPECT_EQ(rows[0].bound, "memory");
  EXPECT_DOUBLE_EQ(rows[0].attainment, 0.5);
  EXPECT_EQ(rows[2].node, "gone");
  EXPECT_EQ(rows[2].status, "fused");  // cpu recorded other ops, not this one
}

// A record saying its arithmetic ran in bf16 ("compute_bf16") is held to the device's
// bf16 peak; one naming a format the device lists no peak for, to its f32 peak.
TEST(AggregateTest, ComputeDTypeCounterPicksThatFormatsPeak) {
  Event bf16 = Op("cpu", "mm_bf16", 0, 1000000, 1);
  bf16.counters.push_back({"compute_bf16", 1.0});
  Event odd = Op("cpu", "mm_odd", 1000000, 2000000, 1);
  odd.counters.push_back({"compute_f8e5m2", 1.0});
  OpAccumulator acc;
  acc.AddInference({Op("cpu", "mm", 2000000, 3000000, 1), bf16, odd});
  DeviceInfo cpu;
  cpu.name = "cpu";
  cpu.peak_flops["f32"] = 4e12;
  cpu.peak_flops["bf16"] = 8e12;
  cpu.memory_bandwidth = 1e12;  // every op compute bound (2000 FLOP/byte past both ridges)
  const auto rows = acc.Rows({cpu}, {}, {});
  ASSERT_EQ(rows.size(), 3u);
  // 2e9 FLOP in 1 ms = 2e12 FLOP/s.
  EXPECT_EQ(rows[0].node, "mm");
  EXPECT_EQ(rows[0].compute_dtype, "");
  EXPECT_DOUBLE_EQ(rows[0].attainment, 0.5);
  EXPECT_EQ(rows[1].compute_dtype, "bf16");
  EXPECT_DOUBLE_EQ(rows[1].attainment, 0.25);
  EXPECT_EQ(rows[2].compute_dtype, "f8e5m2");
  EXPECT_DOUBLE_EQ(rows[2].attainment, 0.5);
}

TEST(AggregateTest, RowsKeepSamplesAndPreferTheDevicesOwnBytes) {
  OpAccumulator acc;
  Event npu = Op("npu", "mm", 0, 1000000, 1, true);
  npu.counters = {{"flops", 2e9}, {"bytes", 5e5}};  // bf16 on the chip: half the f32 bytes
  Event bare = Op("npu", "view", 1000000, 1000100, 1, true);
  bare.counters.clear();  // a record without counters
  acc.AddInference({npu, bare});
  acc.AddInference({npu, bare});
  NodeCosts costs = {{"mm", {2e9, 1e6}}, {"view", {0, 4e3}}};  // another device's records
  const auto rows = acc.Rows({}, costs, {});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].bytes, 5e5);  // the device's own count wins
  EXPECT_EQ(rows[0].bytes_source, "device");
  EXPECT_EQ(rows[0].samples_ms, (std::vector<double>{1.0, 1.0}));
  EXPECT_EQ(rows[1].bytes, 4e3);  // borrowed, and said so
  EXPECT_EQ(rows[1].bytes_source, "other device");
}

TEST(AggregateTest, GroupByRequestFollowsLaunchCorrelation) {
  Event launch3, launch5;
  launch3.kind = launch5.kind = EventKind::kScheduler;
  launch3.correlation_id = 10;
  launch3.request_id = 3;
  launch5.correlation_id = 11;
  launch5.request_id = 5;
  Event orphan = Op("cpu", "x", 0, 1, 99);  // no launch names its correlation
  const auto groups = GroupByRequest({Op("cpu", "a", 0, 1, 11), launch3, Op("cpu", "b", 0, 1, 10),
                                      launch5, Op("cpu", "c", 0, 1, 10), orphan});
  ASSERT_EQ(groups.size(), 2u);
  ASSERT_EQ(groups[0].size(), 3u);  // request 3: its launch, b and c
  EXPECT_EQ(groups[0][1].name, "b");
  EXPECT_EQ(groups[0][2].name, "c");
  ASSERT_EQ(groups[1].size(), 2u);  // request 5: a and its launch
  EXPECT_EQ(groups[1][0].name, "a");
}

TEST(AggregateTest, RooflineEdges) {
  const Roof roof{1e12, 1e11};  // ridge 10 FLOP/byte
  EXPECT_EQ(BoundOf(roof, 100, 100), "memory");
  EXPECT_EQ(BoundOf(roof, 1000, 100), "compute");
  EXPECT_DOUBLE_EQ(Attainable(roof, 1), 1e11);
  EXPECT_DOUBLE_EQ(Attainable(roof, 100), 1e12);
  EXPECT_EQ(Attainment(Roof{}, 1, 1, 1), 0);
  EXPECT_DOUBLE_EQ(Attainment(roof, 0, 1e11, 1), 1.0);  // pure data movement at full bandwidth
}

}  // namespace
}  // namespace hetero::profiler
