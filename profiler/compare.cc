// Matching two bench reports and comparing their latency samples, result by result and
// op by op.
#include "profiler/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

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

// Fewer resamples than for results: a report may hold hundreds of ops.
constexpr int kOpResamples = 1000;

OpComparisonRow CompareOp(const std::string& key, const OpRow& a, const OpRow& b) {
  OpComparisonRow row;
  row.result = key;
  row.node = a.node;
  row.op = a.op;
  row.device = a.device;
  row.has_interval = !a.samples_ms.empty() && !b.samples_ms.empty();
  row.median_a = row.has_interval ? Percentile(a.samples_ms, 50) : a.time_ms;
  row.median_b = row.has_interval ? Percentile(b.samples_ms, 50) : b.time_ms;
  if (row.has_interval) {
    row.ratio = BootstrapMedianRatio(b.samples_ms, a.samples_ms, 0.95, kOpResamples);
    row.p_value = MannWhitneyP(a.samples_ms, b.samples_ms);
    row.significant = row.p_value < 0.05 && (row.ratio.low > 1 || row.ratio.high < 1);
  } else if (row.median_a > 0) {
    row.ratio.estimate = row.median_b / row.median_a;
  }
  return row;
}

// Ops that ran in both results, matched by node and device.
void CompareOps(const std::string& key, const BenchResult& a, const BenchResult& b, Comparison* c) {
  std::map<std::pair<std::string, std::string>, const OpRow*> in_b;
  for (const OpRow& o : b.ops) {
    if (o.status == "run") in_b[{o.node, o.device}] = &o;
  }
  for (const OpRow& o : a.ops) {
    if (o.status != "run") continue;
    auto it = in_b.find({o.node, o.device});
    if (it == in_b.end()) {
      ++c->ops_only_in_a;
      continue;
    }
    c->ops.push_back(CompareOp(key, o, *it->second));
    in_b.erase(it);
  }
  c->ops_only_in_b += in_b.size();
}

double Change(const OpComparisonRow& r) {
  return r.ratio.estimate > 0 ? std::fabs(std::log(r.ratio.estimate)) : 0;
}

std::string OpsMarkdown(const Comparison& c, size_t max_ops) {
  if (c.ops.empty()) return "\nNo op ran in both A and B.\n";
  const size_t shown = max_ops == 0 ? c.ops.size() : std::min(max_ops, c.ops.size());
  std::string out = "\n### Per op (node and device matched)\n\n";
  out += shown < c.ops.size() ? "The " + std::to_string(shown) + " most changed of " +
                                    std::to_string(c.ops.size()) + " (`--all-ops` shows all). "
                              : std::to_string(c.ops.size()) + " ops. ";
  out += "Ratio = median B / median A of the op's time per inference.\n\n";
  out += "| result | node | op | device | A median ms | B median ms | B/A | 95% CI | p | |\n";
  out += "|---|---|---|---|--:|--:|--:|---|--:|---|\n";
  bool medians_only = false;
  for (size_t i = 0; i < shown; ++i) {
    const OpComparisonRow& r = c.ops[i];
    medians_only = medians_only || !r.has_interval;
    const std::string ci =
        r.has_interval ? "[" + Fmt("%.3f", r.ratio.low) + ", " + Fmt("%.3f", r.ratio.high) + "]"
                       : "medians only †";
    out += "| " + r.result + " | " + r.node + " | " + r.op + " | " + r.device + " | " +
           Fmt("%.4g", r.median_a) + " | " + Fmt("%.4g", r.median_b) + " | " +
           (r.ratio.estimate > 0 ? Fmt("%.3f", r.ratio.estimate) : std::string("–")) + " | " + ci +
           " | " + (r.has_interval ? Fmt("%.2g", r.p_value) : std::string("–")) + " | " +
           (r.significant ? "*" : "") + " |\n";
  }
  if (medians_only) {
    out +=
        "\n† A report without per-op samples (schema 1.0) holds only each op's median: the "
        "ratio is of those medians, with no interval and no significance test.\n";
  }
  if (c.ops_only_in_a + c.ops_only_in_b > 0) {
    out += "\nOps that ran in one report only: " + std::to_string(c.ops_only_in_a) + " in A, " +
           std::to_string(c.ops_only_in_b) + " in B.\n";
  }
  return out;
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
    CompareOps(key, ra, *rb, &c);
  }
  std::stable_sort(
      c.ops.begin(), c.ops.end(),
      [](const OpComparisonRow& x, const OpComparisonRow& y) { return Change(x) > Change(y); });
  for (const BenchResult& rb : b.results) {
    if (FindKey(a, KeyOf(rb)) == nullptr) c.only_in_b.push_back(KeyOf(rb));
  }
  return c;
}

std::string ComparisonMarkdown(const Comparison& c, const std::string& name_a,
                               const std::string& name_b, size_t max_ops) {
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
  return out + OpsMarkdown(c, max_ops);
}

}  // namespace hetero::profiler
