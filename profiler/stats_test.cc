// Statistics against samples whose answers are known independently (by hand or from
// numpy/scipy's documented definitions).
#include "profiler/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hetero::profiler {
namespace {

TEST(StatsTest, SummaryOfKnownSample) {
  // 2,4,4,4,5,5,7,9: mean 5, sum of squares 32, sample stddev sqrt(32/7).
  const Summary s = Summarize({2, 4, 4, 4, 5, 5, 7, 9}, {50, 90, 99});
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.stddev, std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_NEAR(s.cv, std::sqrt(32.0 / 7.0) / 5.0, 1e-12);
  EXPECT_EQ(s.min, 2);
  EXPECT_EQ(s.max, 9);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  ASSERT_EQ(s.percentiles.size(), 3u);
  // numpy.percentile([2,4,4,4,5,5,7,9], 90) = 7.6 (rank 6.3: 7 + 0.3 * 2).
  EXPECT_NEAR(s.percentiles[1].second, 7.6, 1e-12);
  // rank 6.93: 7 + 0.93 * 2 = 8.86.
  EXPECT_NEAR(s.percentiles[2].second, 8.86, 1e-12);
}

TEST(StatsTest, PercentileIsType7) {
  // 1..10: p25 rank 2.25 -> 3.25; p0 and p100 are min and max; order does not matter.
  const std::vector<double> v = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(Percentile(v, 25), 3.25);
  EXPECT_DOUBLE_EQ(Percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(v, 100), 10);
  EXPECT_DOUBLE_EQ(Percentile({42}, 99), 42);
  EXPECT_EQ(Percentile({}, 50), 0);
}

TEST(StatsTest, EmptyAndSingleSamples) {
  const Summary empty = Summarize({}, {99});
  EXPECT_EQ(empty.count, 0u);
  EXPECT_EQ(empty.percentiles[0].second, 0);
  const Summary one = Summarize({3}, {});
  EXPECT_EQ(one.stddev, 0);
  EXPECT_EQ(one.mean, 3);
}

TEST(StatsTest, BootstrapRatioCoversTheTruthAndIsRepeatable) {
  std::vector<double> slow, fast;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(20.0 + (i % 5) * 0.1);   // median 20.2
    fast.push_back(10.0 + (i % 5) * 0.05);  // median 10.1
  }
  const Interval ci = BootstrapMedianRatio(slow, fast);
  EXPECT_NEAR(ci.estimate, 2.0, 1e-12);
  EXPECT_LE(ci.low, ci.estimate);
  EXPECT_GE(ci.high, ci.estimate);
  EXPECT_GT(ci.low, 1.9);
  EXPECT_LT(ci.high, 2.1);
  const Interval again = BootstrapMedianRatio(slow, fast);
  EXPECT_EQ(again.low, ci.low);
  EXPECT_EQ(again.high, ci.high);
  EXPECT_EQ(BootstrapMedianRatio({}, fast).estimate, 0);
}

TEST(StatsTest, MannWhitneySeparatesAndDoesNotOverclaim) {
  std::vector<double> a, b, c;
  for (int i = 0; i < 20; ++i) {
    a.push_back(i);
    b.push_back(100 + i);
    c.push_back(i + 0.5);
  }
  // Fully separated groups of 20: z = (200 - 0.5) / sqrt(20*20*41/12) ≈ 5.40, p ≈ 6.8e-8.
  EXPECT_NEAR(MannWhitneyP(a, b), 6.8e-8, 1e-8);
  EXPECT_GT(MannWhitneyP(a, c), 0.5);
  EXPECT_EQ(MannWhitneyP({1}, {2}), 1);
}

TEST(StatsTest, StabilityAndSampleCounts) {
  EXPECT_FALSE(IsStable({1, 1}, 5, 0.05));
  EXPECT_FALSE(IsStable({10, 1, 10, 1, 10}, 5, 0.05));
  EXPECT_TRUE(IsStable({100, 50, 10, 10.1, 10, 9.9, 10}, 5, 0.05));
  EXPECT_EQ(MinSamplesForPercentile(99), 100u);
  EXPECT_EQ(MinSamplesForPercentile(90), 10u);
  EXPECT_EQ(MinSamplesForPercentile(50), 2u);
}

}  // namespace
}  // namespace hetero::profiler
