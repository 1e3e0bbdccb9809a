// The markdown report: results side by side, the time split, per-op tables, environment.
#include <algorithm>
#include <cstdio>

#include "profiler/report.h"

namespace hetero::profiler {

namespace {

constexpr size_t kOpsShown = 15;  // per result in markdown; json and csv carry all

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

std::string Ms(double v) { return Fmt(v >= 100 ? "%.1f" : (v >= 1 ? "%.3f" : "%.4f"), v); }

std::string MedianMs(const std::vector<double>& samples) {
  return samples.empty() ? "–" : Ms(Percentile(samples, 50));
}

std::string Label(const BenchResult& r) {
  return r.simulated ? r.label + " **(simulated)**" : r.label;
}

std::string SpeedupCell(const BenchResult& r) {
  if (r.speedup.estimate <= 0) return "–";
  return Fmt("%.2f×", r.speedup.estimate) + " [" + Fmt("%.2f", r.speedup.low) + ", " +
         Fmt("%.2f", r.speedup.high) + "]";
}

std::string ResultsTable(const BenchReport& report) {
  std::string head = "| result | scenario | latency | n | mean ms | stddev | CV | min";
  std::string rule = "|---|---|---|--:|--:|--:|--:|--:";
  for (double p : report.percentiles) {
    head += " | " + PercentileName(p);
    rule += "|--:";
  }
  head += " | max | throughput /s | speedup vs " + report.baseline + " (95% CI) |\n";
  rule += "|--:|--:|--:|\n";
  std::string out = head + rule;
  for (const BenchResult& r : report.results) {
    const Summary s = Summarize(r.primary_ms(), report.percentiles);
    out += "| " + Label(r) + " | " + r.scenario + " | " + r.primary_name() + " | " +
           std::to_string(s.count) + " | " + Ms(s.mean) + " | " + Ms(s.stddev) + " | " +
           Fmt("%.1f%%", s.cv * 100) + " | " + Ms(s.min);
    for (const auto& [p, v] : s.percentiles) out += " | " + Ms(v);
    out += " | " + Ms(s.max) + " | " + Fmt("%.1f", r.throughput) + " | " + SpeedupCell(r) + " |\n";
  }
  return out;
}

// Per device of the result: its peak in MB, "(sim)" where a simulator accounts for it,
// "n/a" where the plugin reports no memory.
std::string DeviceMemoryCell(const BenchResult& r) {
  std::string out;
  for (const DeviceMemory& m : r.device_memory) {
    const bool simulated =
        std::find(m.covers.begin(), m.covers.end(), "simulated") != m.covers.end();
    out += (out.empty() ? "" : "; ") + m.device + " " +
           (m.available ? Fmt("%.2f", m.peak_bytes / 1048576.0) + (simulated ? " (sim)" : "")
                        : std::string("n/a"));
  }
  return out.empty() ? "–" : out;
}

std::string SplitTable(const BenchReport& report) {
  std::string out =
      "| result | load ms | optimize ms | compile ms | first inference ms | wall | device "
      "(measured) | device (simulated) | transfer | scheduler | peak RSS MB | device memory "
      "peak MB |\n"
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const BenchResult& r : report.results) {
    out += "| " + Label(r) + " | " + Ms(r.load_ms) + " | " + Ms(r.optimize_ms) + " | " +
           Ms(r.compile_ms) + " | " + Ms(r.first_inference_ms) + " | " + MedianMs(r.wall_ms) +
           " | " + MedianMs(r.device_ms) + " | " + MedianMs(r.simulated_ms) + " | " +
           MedianMs(r.transfer_ms) + " | " + MedianMs(r.scheduler_ms) + " | " +
           Fmt("%.1f", r.peak_rss_mb) + " | " + DeviceMemoryCell(r) + " |\n";
  }
  return out;
}

// Where an op row's FLOPs and bytes came from, as the "src" column marks it.
std::string SourceMark(const std::string& bytes_source) {
  if (bytes_source == "device") return "d";
  if (bytes_source == "other device") return "o";
  return bytes_source.empty() ? "–" : bytes_source;
}

std::string OpsTable(const BenchResult& r) {
  std::string out = "\n### Per-op: " + Label(r) + "\n\n";
  if (r.ops.empty()) return out + "No per-op records.\n";
  out +=
      "src: where MFLOP and MB come from: d = this device's records, o = another device's record "
      "of the node (the op's cost at the graph's dtypes), – = none. attainment: of the device's "
      "roofline (the cpu's compute peak taken for the run's --threads share of its cores; an op "
      "the "
      "device ran in a narrower format, e.g. bf16 weights or int8, against that format's peak: "
      "`compute_dtype` in the json).\n\n"
      "| node | op | device | status | calls | time ms | % | MFLOP | MB | src | GFLOP/s | GB/s | "
      "bound | attainment |\n|---|---|---|---|--:|--:|--:|--:|--:|:-:|--:|--:|---|--:|\n";
  std::vector<OpRow> ops = r.ops;
  std::stable_sort(ops.begin(), ops.end(),
                   [](const OpRow& a, const OpRow& b) { return a.time_ms > b.time_ms; });
  for (size_t i = 0; i < ops.size() && i < kOpsShown; ++i) {
    const OpRow& o = ops[i];
    out += "| " + o.node + " | " + o.op + " | " + o.device + (o.simulated ? " (sim)" : "") + " | " +
           o.status + " | " + Fmt("%g", o.calls) + " | " + Ms(o.time_ms) + " | " +
           Fmt("%.1f", o.percent) + " | " + Fmt("%.3f", o.flops / 1e6) + " | " +
           Fmt("%.3f", o.bytes / 1e6) + " | " + SourceMark(o.bytes_source) + " | " +
           Fmt("%.2f", o.gflops_per_s) + " | " + Fmt("%.2f", o.gbytes_per_s) + " | " +
           (o.bound.empty() ? "–" : o.bound) + " | " +
           (o.attainment > 0 ? Fmt("%.1f%%", o.attainment * 100) : "–") + " |\n";
  }
  if (ops.size() > kOpsShown) {
    out += "\n" + std::to_string(ops.size() - kOpsShown) +
           " more ops: see `--format json` or `--format csv`.\n";
  }
  return out;
}

std::string EnvironmentSection(const Environment& env) {
  std::string out = "\n## Environment\n\n";
  out += "hetero " + env.hetero_version + ", commit " + env.commit + ", " + env.compiler + ", " +
         env.os + "; CPU " + env.cpu_model + " (" + std::to_string(env.cpu_cores) + " cores); " +
         env.timestamp + "\n\n`" + env.command_line + "`\n\n";
  out +=
      "| device | kind | simulated | peak f32 GFLOP/s | bandwidth GB/s | measured f32 GFLOP/s | "
      "measured GB/s |\n|---|---|---|--:|--:|--:|--:|\n";
  for (const DeviceInfo& d : env.devices) {
    auto peak = [](const std::map<std::string, double>& m) {
      auto it = m.find("f32");
      return it == m.end() ? std::string("–") : Fmt("%.1f", it->second / 1e9);
    };
    out += "| " + d.name + " | " + d.kind + " | " + (d.simulated ? "yes" : "no") + " | " +
           peak(d.peak_flops) + " | " + Fmt("%.1f", d.memory_bandwidth / 1e9) + " | " +
           peak(d.measured_flops) + " | " +
           (d.measured_bandwidth > 0 ? Fmt("%.1f", d.measured_bandwidth / 1e9) : "–") + " |\n";
  }
  return out;
}

}  // namespace

std::string BenchMarkdown(const BenchReport& report) {
  std::string out = "## hetero bench: " + report.model + "\n\n";
  out +=
      "Latency in ms per inference; percentiles by linear interpolation (type 7); speedup = "
      "baseline median / result median with a 95% bootstrap interval. Results marked "
      "**(simulated)** include a simulated device: its device times are predictions.\n\n";
  out += ResultsTable(report);
  out += "\n### Where the time went (medians, ms)\n\n" + SplitTable(report);
  for (const BenchResult& r : report.results) out += OpsTable(r);
  out += EnvironmentSection(report.environment);
  if (!report.warnings.empty()) {
    out += "\n## Warnings\n\n";
    for (const std::string& w : report.warnings) out += "- " + w + "\n";
  }
  return out;
}

}  // namespace hetero::profiler
