// `hetero bench compare A.json B.json`: results matched by label, scenario, threads and
// shape; B/A ratios of the median latency with a bootstrap interval and a significance mark.
#pragma once

#include <string>

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

struct Comparison {
  std::vector<ComparisonRow> rows;
  std::vector<std::string> only_in_a, only_in_b;
};

Comparison CompareReports(const BenchReport& a, const BenchReport& b);
std::string ComparisonMarkdown(const Comparison& c, const std::string& name_a,
                               const std::string& name_b);

}  // namespace hetero::profiler
