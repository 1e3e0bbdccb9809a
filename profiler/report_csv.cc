// CSV writers: one row per result, and one row per op of every result.
#include <cstdio>
#include <utility>

#include "profiler/report.h"

namespace hetero::profiler {

const char kBenchCsvColumns[] =
    "label,devices,scenario,threads,shape,simulated,latency_metric,count,mean_ms,stddev_ms,cv,"
    "min_ms,p50_ms,p90_ms,p99_ms,max_ms,throughput_per_s,load_ms,compile_ms,first_inference_ms,"
    "wall_median_ms,device_median_ms,simulated_median_ms,device_total_median_ms,transfer_median_ms,"
    "scheduler_median_ms,peak_rss_mb,speedup,speedup_low,speedup_high,device_memory_peak_mb,"
    "device_memory";

const char kOpCsvColumns[] =
    "label,node,op,device,status,calls,time_ms,percent,flops,bytes,gflops_per_s,gbytes_per_s,"
    "bound,attainment,simulated,bytes_source";

namespace {

std::string Cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Num(double v) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string MedianOrEmpty(const std::vector<double>& v) {
  return v.empty() ? "" : Num(Percentile(v, 50));
}

// The sum of the peaks the devices report ("" when none does), and per device
// "name=peak MB" or "name=n/a".
std::pair<std::string, std::string> DeviceMemoryCells(const BenchResult& r) {
  double sum_mb = 0;
  bool any = false;
  std::string detail;
  for (const DeviceMemory& m : r.device_memory) {
    detail += (detail.empty() ? "" : " ") + m.device + "=";
    if (m.available) {
      sum_mb += m.peak_bytes / 1048576.0;
      any = true;
      detail += Num(m.peak_bytes / 1048576.0) + "MB";
    } else {
      detail += "n/a";
    }
  }
  return {any ? Num(sum_mb) : "", Cell(detail)};
}

}  // namespace

std::string BenchCsv(const BenchReport& report) {
  std::string out = std::string(kBenchCsvColumns) + "\n";
  for (const BenchResult& r : report.results) {
    // The fixed columns p50/p90/p99 are always written, whatever --percentiles asked.
    const Summary s = Summarize(r.primary_ms(), {50, 90, 99});
    out += Cell(r.label) + "," + Cell(r.devices) + "," + r.scenario + "," +
           std::to_string(r.threads) + "," + Cell(r.shape) + "," +
           (r.simulated ? "true" : "false") + "," + Cell(r.primary_name()) + "," +
           std::to_string(s.count) + "," + Num(s.mean) + "," + Num(s.stddev) + "," + Num(s.cv) +
           "," + Num(s.min) + "," + Num(s.percentiles[0].second) + "," +
           Num(s.percentiles[1].second) + "," + Num(s.percentiles[2].second) + "," + Num(s.max) +
           "," + Num(r.throughput) + "," + Num(r.load_ms) + "," + Num(r.compile_ms) + "," +
           Num(r.first_inference_ms) + "," + MedianOrEmpty(r.wall_ms) + "," +
           MedianOrEmpty(r.device_ms) + "," + MedianOrEmpty(r.simulated_ms) + "," +
           MedianOrEmpty(r.device_total_ms) + "," + MedianOrEmpty(r.transfer_ms) + "," +
           MedianOrEmpty(r.scheduler_ms) + "," + Num(r.peak_rss_mb) + "," +
           Num(r.speedup.estimate) + "," + Num(r.speedup.low) + "," + Num(r.speedup.high) + "," +
           DeviceMemoryCells(r).first + "," + DeviceMemoryCells(r).second + "\n";
  }
  return out;
}

std::string OpsCsv(const BenchReport& report) {
  std::string out = std::string(kOpCsvColumns) + "\n";
  for (const BenchResult& r : report.results) {
    for (const OpRow& o : r.ops) {
      out += Cell(r.label) + "," + Cell(o.node) + "," + Cell(o.op) + "," + Cell(o.device) + "," +
             o.status + "," + Num(o.calls) + "," + Num(o.time_ms) + "," + Num(o.percent) + "," +
             Num(o.flops) + "," + Num(o.bytes) + "," + Num(o.gflops_per_s) + "," +
             Num(o.gbytes_per_s) + "," + o.bound + "," + Num(o.attainment) + "," +
             (o.simulated ? "true" : "false") + "," + Cell(o.bytes_source) + "\n";
    }
  }
  return out;
}

}  // namespace hetero::profiler
