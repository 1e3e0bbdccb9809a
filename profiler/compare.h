// `hetero bench compare A.json B.json`: results matched by label, scenario, threads and
// shape; B/A ratios of the median latency with a bootstrap interval and a significance
// mark; then the per-op rows of matched results, matched by node and device.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "profiler/bench_result.h"

namespace hetero::profiler {

struct ComparisonRow {
  std::string key;  // "cpu · single"
  std::string metric;
  double median_a = 0, median_b = 0;
  Interval ratio;            // median B / median A
  double p_value = 1;        // Mann-Whitney U
  bool significant = false;  // p < 0.05 and the interval excludes 1
};

// One node on one device in a result both reports hold.
struct OpComparisonRow {
  std::string result;  // the result's key
  std::string node, op, device;
  double median_a = 0, median_b = 0;  // median time per inference, ms
  // median B / median A. With per-op samples on both sides (schema 1.1) a bootstrap
  // interval and a Mann-Whitney p; otherwise the ratio of the stored medians only.
  Interval ratio;
  bool has_interval = false;
  double p_value = 1;
  bool significant = false;  // has_interval, p < 0.05 and the interval excludes 1
};

struct Comparison {
  std::vector<ComparisonRow> rows;
  std::vector<std::string> only_in_a, only_in_b;
  std::vector<OpComparisonRow> ops;             // most changed first (|log ratio|, largest first)
  size_t ops_only_in_a = 0, ops_only_in_b = 0;  // ran in one report's result only
};

Comparison CompareReports(const BenchReport& a, const BenchReport& b);
// `max_ops`: per-op rows shown (the most changed); 0 shows all.
std::string ComparisonMarkdown(const Comparison& c, const std::string& name_a,
                               const std::string& name_b, size_t max_ops = 10);

}  // namespace hetero::profiler
