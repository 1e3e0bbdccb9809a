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

}  // namespace
}  // namespace hetero::cpu
