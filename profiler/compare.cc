// Matching two bench reports and comparing their latency samples.
#include "profiler/compare.h"

#include <cstdio>

namespace hetero::profiler {

namespace {

std::string KeyOf(const BenchResult& r) {
  std::string key = r.label + " · " + r.scenario;
  if (r.threads != 0) key += " · threads=" + std::to_string(r.threads);
  if (!r.shape.empty()) key += " · shape=" + r.shape;
  return key;
}

const BenchResult* FindKey(const BenchReport& report, const std::string& key) {
  for (const BenchResult& r : report.results) {
    if (KeyOf(r) == key) return &r;
  }
  return nullptr;
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

}  // namespace

Comparison CompareReports(const BenchReport& a, const BenchReport& b) {
  Comparison c;
  for (const BenchResult& ra : a.results) {
    const std::string key = KeyOf(ra);
    const BenchResult* rb = FindKey(b, key);
    if (rb == nullptr) {
      c.only_in_a.push_back(key);
      continue;
    }
    ComparisonRow row;
    row.key = key;
    const bool same = ra.primary_name() == rb->primary_name();
    const auto& sa = same ? ra.primary_ms() : ra.wall_ms;
    const auto& sb = same ? rb->primary_ms() : rb->wall_ms;
    row.metric = same ? ra.primary_name() : "wall (metrics differ)";
    row.median_a = Percentile(sa, 50);
    row.median_b = Percentile(sb, 50);
    row.ratio = BootstrapMedianRatio(sb, sa);
    row.p_value = MannWhitneyP(sa, sb);
    row.significant = row.p_value < 0.05 && (row.ratio.low > 1 || row.ratio.high < 1);
    c.rows.push_back(std::move(row));
  }
  for (const BenchResult& rb : b.results) {
    if (FindKey(a, KeyOf(rb)) == nullptr) c.only_in_b.push_back(KeyOf(rb));
  }
  return c;
}

std::string ComparisonMarkdown(const Comparison& c, const std::string& name_a,
                               const std::string& name_b) {
  std::string out = "## hetero bench compare\n\nA = " + name_a + ", B = " + name_b +
                    ". Ratio = median B / median A (below 1: B is faster), 95% bootstrap "
                    "interval; * = significant (Mann-Whitney p < 0.05 and the interval "
                    "excludes 1).\n\n";
  out += "| result | metric | A median ms | B median ms | B/A | 95% CI | p | |\n";
  out += "|---|---|--:|--:|--:|---|--:|---|\n";
  for (const ComparisonRow& r : c.rows) {
    out += "| " + r.key + " | " + r.metric + " | " + Fmt("%.4g", r.median_a) + " | " +
           Fmt("%.4g", r.median_b) + " | " + Fmt("%.3f", r.ratio.estimate) + " | [" +
           Fmt("%.3f", r.ratio.low) + ", " + Fmt("%.3f", r.ratio.high) + "] | " +
           Fmt("%.2g", r.p_value) + " | " + (r.significant ? "*" : "") + " |\n";
  }
  for (const std::string& k : c.only_in_a) out += "\nOnly in A: " + k;
  for (const std::string& k : c.only_in_b) out += "\nOnly in B: " + k;
  if (!c.only_in_a.empty() || !c.only_in_b.empty()) out += "\n";
  return out;
}

}  // namespace hetero::profiler
