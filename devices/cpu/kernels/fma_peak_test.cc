// The measured FMA rate: of a plausible size on every vector path this CPU has, and 0
// where there is nothing to measure.
#include "devices/cpu/kernels/fma_peak.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hetero::cpu {
namespace {

TEST(FmaPeak, PortablePathHasNothingToMeasure) { EXPECT_EQ(MeasureFmaFlops(Isa::kPortable), 0.0); }

TEST(FmaPeak, VectorPathsMeasureAPlausibleRate) {
  if (DetectedIsa() < Isa::kAvx2) GTEST_SKIP() << "this CPU has no AVX2: nothing to measure";
  const double avx2 = MeasureFmaFlops(Isa::kAvx2);
  // One core: above a 1 GHz core with one 8-lane FMA unit at a tenth of its speed (a busy
  // machine), below 8 GHz with two 16-lane units.
  EXPECT_GT(avx2, 1.6e9);
  EXPECT_LT(avx2, 1.1e12);
  if (DetectedIsa() < Isa::kAvx512) return;
  double avx512 = 0;
  for (int r = 0; r < 3; ++r) avx512 = std::max(avx512, MeasureFmaFlops(Isa::kAvx512));
  EXPECT_GT(avx512, 1.6e9);
  EXPECT_LT(avx512, 1.1e12);
}

// vdpbf16ps does two products per lane where vfmadd does one, vpdpbusd four: on the CPUs
// known, at the FMA's issue rate, so about 2x and 4x its FLOP/s (bounds leave room for
// a busy machine and other designs).
TEST(FmaPeak, DotProductRatesAgainstTheFmaRate) {
  if (!CpuHasAvx512Bf16() && !CpuHasAvx512Vnni()) {
    EXPECT_EQ(MeasureBf16DotFlops(), 0.0);
    EXPECT_EQ(MeasureInt8DotOps(), 0.0);
    GTEST_SKIP() << "this CPU has neither AVX-512 BF16 nor VNNI: nothing more to measure";
  }
  double fma = 0, bf16 = 0, int8 = 0;
  for (int r = 0; r < 3; ++r) {
    fma = std::max(fma, MeasureFmaFlops(Isa::kAvx512));
    bf16 = std::max(bf16, MeasureBf16DotFlops());
    int8 = std::max(int8, MeasureInt8DotOps());
  }
  if (CpuHasAvx512Bf16()) {
    EXPECT_GT(bf16, 1.2 * fma);
    EXPECT_LT(bf16, 4.0 * fma);
  }
  if (CpuHasAvx512Vnni()) {
    EXPECT_GT(int8, 2.0 * fma);
    EXPECT_LT(int8, 8.0 * fma);
  }
}

}  // namespace
}  // namespace hetero::cpu
