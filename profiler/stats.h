// Statistics of latency samples: summaries, percentiles (one stated method), bootstrap
// confidence intervals of a ratio of medians, and the warm-up stability rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hetero::profiler {

// Percentile of `samples` at `p` in [0, 100] by linear interpolation between closest
// ranks (Hyndman & Fan type 7, numpy's default): rank = p/100 * (n-1). 0 when empty.
double Percentile(std::vector<double> samples, double p);

struct Summary {
  size_t count = 0;
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n-1); 0 for fewer than 2 samples
  double cv = 0;      // stddev / mean; 0 when the mean is 0
  double min = 0;
  double max = 0;
  double median = 0;
  std::vector<std::pair<double, double>> percentiles;  // (p, value) in the order asked
};

Summary Summarize(const std::vector<double>& samples, const std::vector<double>& percentiles);

struct Interval {
  double estimate = 0;
  double low = 0;
  double high = 0;
};

// median(numerator) / median(denominator) with a percentile bootstrap interval at
// `confidence` (0.95): `resamples` resamples of each side, drawn with a fixed seed so a
// run is repeatable. All zero when either side is empty or a median is 0.
Interval BootstrapMedianRatio(const std::vector<double>& numerator,
                              const std::vector<double>& denominator, double confidence = 0.95,
                              int resamples = 2000, uint64_t seed = 42);

// Two-sided Mann-Whitney U test with the normal approximation (tie-corrected): the
// p-value that both samples come from one distribution. 1 when either has < 2 samples.
double MannWhitneyP(const std::vector<double>& a, const std::vector<double>& b);

// The warm-up rule "until stable": the last `window` samples have a coefficient of
// variation under `max_cv`. False with fewer than `window` samples.
bool IsStable(const std::vector<double>& samples, size_t window, double max_cv);

// The fewest samples for percentile p to be an observed tail rather than the maximum:
// 100 / (100 - p), rounded up (p99 needs 100).
size_t MinSamplesForPercentile(double p);

}  // namespace hetero::profiler
