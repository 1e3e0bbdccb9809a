// The timing model on hand-computable cases (npu-small: 1 core, 1 MiB SRAM, 100 GB/s
// DRAM, bf16 2 TFLOP/s, no DMA setup, 100 ns per command, Gen4 x4 host link).
#include "devices/npu_sim/timing.h"

#include <gtest/gtest.h>

#include "devices/npu_sim/sim_run.h"
#include "ops/schema.h"

namespace hetero::npu_sim {
namespace {

Preset Small() {
  auto p = LoadPresetFile(std::string(HETERO_NPU_SIM_PRESET_DIR) + "/npu-small.preset");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : Preset{};
}

TEST(Timing, ComputeBoundMatMul) {
  // 128x128x128 bf16: 2*128^3 = 4,194,304 FLOP at 2e12 = 2097.152 ns; three 128x128 bf16
  // tensors = 98,304 B at 100 GB/s = 983.04 ns; one tile (< 512 KiB), so no overlap.
  const ops::OpSchema* matmul = ops::FindOp("MatMul");
  ASSERT_NE(matmul, nullptr);
  const TensorType t{DType::kF32, Shape({128, 128})};
  ops::Attributes attrs;
  const OpWork w = NodeWork(*matmul, attrs, {&t, &t}, {t}, DType::kBF16);
  EXPECT_EQ(w.engine, Engine::kMatrix);
  EXPECT_DOUBLE_EQ(w.flops, 4194304.0);
  EXPECT_DOUBLE_EQ(w.dram_bytes, 98304.0);
  const OpTiming timing = TimeOp(Small(), DType::kBF16, w);
  EXPECT_EQ(timing.tiles, 1);
  EXPECT_TRUE(timing.compute_bound);
  EXPECT_NEAR(timing.total_ns, 983.04 + 2097.152 + 100, 1e-6);
}

TEST(Timing, BandwidthBoundMatMul) {
  // 4e6 bytes: ceil(4e6 / 524,288) = 8 tiles of 500,000 B = 5000 ns each; compute
  // 2e6 FLOP = 1000 ns, 125 ns a tile. d + c + 7 max(c, d) + 100.
  const OpTiming t = TimeOp(Small(), DType::kBF16, {Engine::kMatrix, 2e6, 4e6});
  EXPECT_EQ(t.tiles, 8);
  EXPECT_FALSE(t.compute_bound);
  EXPECT_NEAR(t.total_ns, 5000 + 125 + 7 * 5000 + 100, 1e-6);
  // Close to bytes / bandwidth (40,000 ns): the compute hides behind the DMA.
  EXPECT_LT(t.total_ns, 4e6 / 100e9 * 1e9 * 1.01);
}

TEST(Timing, DoubleBufferingOverlapsDmaAndCompute) {
  // 4 tiles of 512 KiB: 5242.88 ns of DMA each; compute set to the same per tile.
  const double bytes = 4 * 524288.0;
  const double flops = bytes / 100e9 * 2e12;
  const OpTiming t = TimeOp(Small(), DType::kBF16, {Engine::kMatrix, flops, bytes});
  ASSERT_EQ(t.tiles, 4);
  const double tile = 5242.88;
  EXPECT_NEAR(t.total_ns, 5 * tile + 100, 1e-6);         // d + c + 3 max(c, d)
  EXPECT_NEAR(t.compute_ns + t.dma_ns, 8 * tile, 1e-6);  // serial would take 8 tiles
}

TEST(Timing, HostLinkTransfer) {
  // Gen4 x4: 1.969 GB/s a lane x 4 = 7.876 GB/s at efficiency 1; 7876 B take 1000 ns.
  EXPECT_NEAR(HostLinkNs(Small(), 7876), 1000, 1e-6);
}

TEST(Timing, ViewOpsCostNothingAndVectorOpsUseTheVectorUnit) {
  EXPECT_DOUBLE_EQ(TimeOp(Small(), DType::kBF16, {Engine::kNone, 0, 0}).total_ns, 0);
  // 1e6 elements at 100 G elements/s = 10,000 ns; 4e6 B at 100 GB/s = 40,000 ns over
  // 8 tiles: bandwidth-bound, 5000 + 1250 + 7 * 5000 + 100.
  const OpTiming t = TimeOp(Small(), DType::kBF16, {Engine::kVector, 1e6, 4e6});
  EXPECT_NEAR(t.total_ns, 5000 + 1250 + 35000 + 100, 1e-6);
}

TEST(Timing, CommandStreamPerCoreCriticalPath) {
  // npu-small with 2 cores: tiles of 512 KiB, dealt to two streams that share 100 GB/s,
  // so one tile's DMA takes 524,288 B / 50 GB/s = 10,485.76 ns. Three tiles: one core
  // runs two (the critical path), the other one — as long as four tiles.
  Preset two = Small();
  two.cores = 2;
  const OpTiming three = TimeOp(two, DType::kBF16, {Engine::kMatrix, 0, 3 * 524288.0});
  EXPECT_EQ(three.tiles, 3);
  EXPECT_EQ(three.active_cores, 2);
  EXPECT_EQ(three.critical_tiles, 2);
  EXPECT_NEAR(three.total_ns, 2 * 10485.76 + 100, 1e-6);
  const OpTiming four = TimeOp(two, DType::kBF16, {Engine::kMatrix, 0, 4 * 524288.0});
  EXPECT_NEAR(four.total_ns, three.total_ns, 1e-6);
  // A small op is still split over both cores: 1,000 B as two tiles of 500 B at 50 GB/s,
  // and 2e6 FLOP at half the 2 TFLOP/s per core: 1000 ns each, compute-bound.
  const OpTiming small = TimeOp(two, DType::kBF16, {Engine::kMatrix, 2e6, 1000});
  EXPECT_EQ(small.tiles, 2);
  EXPECT_EQ(small.critical_tiles, 1);
  EXPECT_TRUE(small.compute_bound);
  EXPECT_NEAR(small.total_ns, 10 + 1000 + 100, 1e-6);
}

TEST(Timing, SmallOpsAreSplitOverFewerCores) {
  // npu-small's totals on 4 cores with a 2000-cycle (2 us) DMA setup: a core's share of
  // the bandwidth is 25 GB/s, so a part is at least 2e-6 s x 25e9 B/s = 50,000 B.
  Preset four = Small();
  four.cores = 4;
  four.dma_setup_cycles = 2000;
  EXPECT_NEAR(MinPartBytes(four), 50000, 1e-6);
  EXPECT_DOUBLE_EQ(MinPartBytes(Small()), 0) << "without setup every op uses every core";
  // A 64x64x64 f32 MatMul moves 3 x 16 KiB = 49,152 B: one part, one core, at that
  // core's share of the bandwidth (49,152 B in 1966.08 ns, + 2000 ns setup) and of the
  // peak (1 TFLOP/s / 4: 524,288 FLOP in 2097.152 ns).
  const ops::OpSchema* matmul = ops::FindOp("MatMul");
  ASSERT_NE(matmul, nullptr);
  const TensorType t{DType::kF32, Shape({64, 64})};
  ops::Attributes attrs;
  const OpTiming one =
      TimeOp(four, DType::kF32, NodeWork(*matmul, attrs, {&t, &t}, {t}, DType::kF32));
  EXPECT_EQ(one.tiles, 1);
  EXPECT_EQ(one.active_cores, 1);
  EXPECT_NEAR(one.total_ns, 1966.08 + 2000 + 2097.152 + 100, 1e-6);
  // 150,000 B: three parts on three cores, 50,000 B a tile in 2000 + 2000 ns.
  const OpTiming three = TimeOp(four, DType::kF32, {Engine::kVector, 0, 150000.0});
  EXPECT_EQ(three.active_cores, 3);
  EXPECT_NEAR(three.total_ns, 2000 + 2000 + 100, 1e-6);
  // 262,144 B: five parts' worth, every core of four (65,536 B a tile).
  const OpTiming all = TimeOp(four, DType::kF32, {Engine::kVector, 0, 262144.0});
  EXPECT_EQ(all.tiles, 4);
  EXPECT_EQ(all.active_cores, 4);
  EXPECT_NEAR(all.total_ns, 2621.44 + 2000 + 100, 1e-6);
  // A fused epilogue keeps its matrix op's cores, however small it is.
  OpWork epilogue{Engine::kVector, 0, 1000.0};
  epilogue.split_cores = 4;
  EXPECT_EQ(TimeOp(four, DType::kF32, epilogue).active_cores, 4);
}

}  // namespace
}  // namespace hetero::npu_sim
