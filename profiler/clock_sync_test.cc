// Clock calibration recovers a known offset and drift from noisy paired readings.
#include "profiler/clock_sync.h"

#include <gtest/gtest.h>

namespace hetero::profiler {
namespace {

TEST(ClockSyncTest, OffsetFromTheTightestPair) {
  // Device clock = host - 5000 ns. Round trips of 800, 100 and 2000 ns; the 100 ns one is
  // centred on the truth, the others are skewed.
  const std::vector<ClockSample> samples = {
      {10000, 5600, 10800}, {20000, 15050, 20100}, {30000, 24000, 32000}};
  const ClockMapping m = CalibrateClock(samples);
  EXPECT_DOUBLE_EQ(m.scale, 1.0);  // 18 µs apart: too close to estimate drift
  EXPECT_EQ(m.uncertainty_ns, 50u);
  EXPECT_EQ(m.ToHost(15050), 20050u);
  EXPECT_NEAR(static_cast<double>(m.ToHost(100000)), 105000.0, 50.0);
}

TEST(ClockSyncTest, DriftOverALongSpan) {
  // The device clock runs 1% fast: device = host * 1.01.
  std::vector<ClockSample> samples;
  for (uint64_t host = 0; host <= 1000000000; host += 250000000) {
    samples.push_back({host, static_cast<uint64_t>(host * 1.01), host});
  }
  const ClockMapping m = CalibrateClock(samples);
  EXPECT_NEAR(m.scale, 1 / 1.01, 1e-9);
  EXPECT_NEAR(static_cast<double>(m.ToHost(505000000)), 500000000.0, 2.0);
  EXPECT_EQ(CalibrateClock({}).ToHost(42), 42u);
}

}  // namespace
}  // namespace hetero::profiler
