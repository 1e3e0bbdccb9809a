// Tests of the compute-format convention and the narrow comparison of the conformance suite.
#include "tools/conformance/compute_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hetero::conformance {
namespace {

plugins::DeviceProperties WithPeaks(double f32, double bf16, double f16, double f8) {
  plugins::DeviceProperties p;
  p.peak_flops[HETERO_DTYPE_F32] = f32;
  p.peak_flops[HETERO_DTYPE_BF16] = bf16;
  p.peak_flops[HETERO_DTYPE_F16] = f16;
  p.peak_flops[HETERO_DTYPE_F8E4M3] = f8;
  return p;
}

TEST(ComputeFormat, DerivedFromTheOneNarrowerFormatAtTheF32Peak) {
  // rngd: f32 graphs at the bf16 peak; fp8 at twice that.
  EXPECT_EQ(DeriveComputeDType(WithPeaks(256e12, 256e12, 0, 512e12)), DType::kBF16);
  // atom: fp16 only.
  EXPECT_EQ(DeriveComputeDType(WithPeaks(32e12, 0, 32e12, 0)), DType::kF16);
  // npu-small computes f32 at its own rate; a CPU lists one rate for every format.
  EXPECT_EQ(DeriveComputeDType(WithPeaks(1e12, 2e12, 2e12, 4e12)), DType::kF32);
  EXPECT_EQ(DeriveComputeDType(WithPeaks(1e11, 1e11, 1e11, 1e11)), DType::kF32);
  // warboy: no float peak at all.
  EXPECT_EQ(DeriveComputeDType(WithPeaks(0, 0, 0, 0)), DType::kF32);
}

TEST(ComputeFormat, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseComputeDType("bf16"), DType::kBF16);
  EXPECT_EQ(*ParseComputeDType("fp16"), DType::kF16);
  EXPECT_EQ(*ParseComputeDType("f8e4m3"), DType::kF8E4M3);
  EXPECT_EQ(*ParseComputeDType("int8"), DType::kI8);
  auto bad = ParseComputeDType("i64");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("i64"), std::string::npos);
}

TEST(ComputeFormat, BoundsFollowTheUnitRoundoff) {
  // bf16 keeps 8 significant bits: 1 + 2^-8 rounds to 1 (a tie to even), 1 + 2^-7 does not.
  EXPECT_EQ(BFloat16ToFloat(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8))), 1.0f);
  EXPECT_NE(BFloat16ToFloat(FloatToBFloat16(1.0f + std::ldexp(1.0f, -7))), 1.0f);
  EXPECT_DOUBLE_EQ(NarrowComparisonOf(DType::kBF16).max_rel, 4 * std::ldexp(1.0, -8));
  EXPECT_DOUBLE_EQ(NarrowComparisonOf(DType::kF16).max_rel, 4 * std::ldexp(1.0, -11));
  EXPECT_DOUBLE_EQ(NarrowComparisonOf(DType::kF8E4M3).max_rel, 0.25);
}

TEST(ComputeFormat, OnlyWiderFloatOutputsAreComparedNarrowly) {
  SetComputeFormat({DType::kBF16, "test"});
  EXPECT_TRUE(NarrowComparisonFor(DType::kF32).has_value());
  EXPECT_TRUE(NarrowComparisonFor(DType::kF16).has_value());
  EXPECT_FALSE(NarrowComparisonFor(DType::kBF16).has_value());
  EXPECT_FALSE(NarrowComparisonFor(DType::kI64).has_value());
  SetComputeFormat({DType::kF32, "test"});
  EXPECT_FALSE(NarrowComparisonFor(DType::kF32).has_value());
}

TEST(ComputeFormat, BF16RoundingPassesAndAWrongValueFails) {
  Tensor want = Tensor::Allocate(DType::kF32, {64}).value();
  Tensor got = Tensor::Allocate(DType::kF32, {64}).value();
  for (int64_t i = 0; i < 64; ++i) {
    const float v = std::sin(0.37f * static_cast<float>(i)) * 3.0f;
    want.SetDouble(i, v);
    got.SetDouble(i, BFloat16ToFloat(FloatToBFloat16(v)));
  }
  const NarrowComparison bf16 = NarrowComparisonOf(DType::kBF16);
  EXPECT_TRUE(MatchesInFormat(want, got, bf16));
  // The same rounding is too coarse for fp16's bound.
  EXPECT_FALSE(MatchesInFormat(want, got, NarrowComparisonOf(DType::kF16)));
  // One element off by 5% of the scale: a wrong result, not rounding.
  got.SetDouble(10, want.GetDouble(10) + 0.15);
  EXPECT_FALSE(MatchesInFormat(want, got, bf16));
  // A NaN where a number is expected.
  got.SetDouble(10, std::nan(""));
  EXPECT_FALSE(MatchesInFormat(want, got, bf16));
}

TEST(ComputeFormat, ABroadErrorUnderTheMaxBoundFailsOnAverage) {
  // One element of 10 and 31 of 1: the max bound is 1.56e-2 * 10 = 0.156, the rms bound
  // 1.56e-2 * rms(want) = 1.56e-2 * 2.02 = 0.032. Every small element off by 0.1 passes
  // the max bound but not the rms one; off by 0.02 it passes both.
  Tensor want = Tensor::Allocate(DType::kF32, {32}).value();
  Tensor got = Tensor::Allocate(DType::kF32, {32}).value();
  for (int64_t i = 0; i < 32; ++i) want.SetDouble(i, i == 0 ? 10.0 : 1.0);
  const NarrowComparison bf16 = NarrowComparisonOf(DType::kBF16);
  for (int64_t i = 0; i < 32; ++i) got.SetDouble(i, want.GetDouble(i) + (i == 0 ? 0 : 0.02));
  EXPECT_TRUE(MatchesInFormat(want, got, bf16));
  for (int64_t i = 0; i < 32; ++i) got.SetDouble(i, want.GetDouble(i) + (i == 0 ? 0 : 0.1));
  const Deviation d = Measure(want, got);
  EXPECT_LE(d.max_rel, bf16.max_rel);
  EXPECT_GT(d.rms_rel, bf16.max_rel);
  EXPECT_FALSE(MatchesInFormat(want, got, bf16));
}

}  // namespace
}  // namespace hetero::conformance
