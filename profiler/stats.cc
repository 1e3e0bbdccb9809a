// Summaries, type-7 percentiles, bootstrap intervals and the Mann-Whitney test.
#include "profiler/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace hetero::profiler {

namespace {

double SortedPercentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double clamped = std::clamp(p, 0.0, 100.0);
  const double rank = clamped / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return SortedPercentile(v, 50);
}

}  // namespace

double Percentile(std::vector<double> samples, double p) {
  std::sort(samples.begin(), samples.end());
  return SortedPercentile(samples, p);
}

Summary Summarize(const std::vector<double>& samples, const std::vector<double>& percentiles) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) {
    for (double p : percentiles) s.percentiles.emplace_back(p, 0.0);
    return s;
  }
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(s.count);
  if (s.count > 1) {
    double sq = 0;
    for (double x : sorted) sq += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(sq / static_cast<double>(s.count - 1));
  }
  s.cv = s.mean != 0 ? s.stddev / s.mean : 0;
  s.median = SortedPercentile(sorted, 50);
  for (double p : percentiles) s.percentiles.emplace_back(p, SortedPercentile(sorted, p));
  return s;
}

Interval BootstrapMedianRatio(const std::vector<double>& numerator,
                              const std::vector<double>& denominator, double confidence,
                              int resamples, uint64_t seed) {
  Interval out;
  if (numerator.empty() || denominator.empty()) return out;
  const double num_median = Median(numerator);
  const double den_median = Median(denominator);
  if (num_median == 0 || den_median == 0) return out;
  out.estimate = num_median / den_median;
  std::mt19937_64 rng(seed);
  std::vector<double> ratios;
  std::vector<double> a(numerator.size()), b(denominator.size());
  std::uniform_int_distribution<size_t> pick_a(0, numerator.size() - 1);
  std::uniform_int_distribution<size_t> pick_b(0, denominator.size() - 1);
  for (int r = 0; r < resamples; ++r) {
    for (double& x : a) x = numerator[pick_a(rng)];
    for (double& x : b) x = denominator[pick_b(rng)];
    const double den = Median(b);
    if (den != 0) ratios.push_back(Median(a) / den);
  }
  const double tail = (1.0 - confidence) / 2.0 * 100.0;
  out.low = Percentile(ratios, tail);
  out.high = Percentile(ratios, 100.0 - tail);
  return out;
}

double MannWhitneyP(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n1 = a.size(), n2 = b.size();
  if (n1 < 2 || n2 < 2) return 1;
  std::vector<std::pair<double, int>> all;
  for (double x : a) all.emplace_back(x, 0);
  for (double x : b) all.emplace_back(x, 1);
  std::sort(all.begin(), all.end());
  const double n = static_cast<double>(all.size());
  double rank_sum_a = 0, tie_term = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
      if (all[k].second == 0) rank_sum_a += avg_rank;
    }
    i = j;
  }
  const double dn1 = static_cast<double>(n1), dn2 = static_cast<double>(n2);
  const double u = rank_sum_a - dn1 * (dn1 + 1) / 2.0;
  const double mean_u = dn1 * dn2 / 2.0;
  const double var_u = dn1 * dn2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var_u <= 0) return 1;
  const double z = (std::fabs(u - mean_u) - 0.5) / std::sqrt(var_u);  // continuity corrected
  return std::min(1.0, std::erfc(std::max(z, 0.0) / std::sqrt(2.0)));
}

bool IsStable(const std::vector<double>& samples, size_t window, double max_cv) {
  if (window == 0 || samples.size() < window) return false;
  const std::vector<double> tail(samples.end() - static_cast<std::ptrdiff_t>(window),
                                 samples.end());
  return Summarize(tail, {}).cv < max_cv;
}

size_t MinSamplesForPercentile(double p) {
  if (p <= 0 || p >= 100) return 1;
  return static_cast<size_t>(std::ceil(100.0 / (100.0 - p) - 1e-9));
}

}  // namespace hetero::profiler
