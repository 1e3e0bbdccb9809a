// The bench JSON document: schema version, environment, every result with its raw
// samples, statistics and per-op table (the "ops" rows are what placement reads).
#include <cstdio>

#include "profiler/report.h"

namespace hetero::profiler {

namespace {

class ObjectWriter {
 public:
  ObjectWriter& Raw(const std::string& key, const std::string& json) {
    text_ += (text_.empty() ? "{" : ",") + JsonQuote(key) + ":" + json;
    return *this;
  }
  ObjectWriter& Str(const std::string& key, const std::string& value) {
    return Raw(key, JsonQuote(value));
  }
  ObjectWriter& Num(const std::string& key, double value) { return Raw(key, JsonNumber(value)); }
  ObjectWriter& Bool(const std::string& key, bool value) {
    return Raw(key, value ? "true" : "false");
  }
  std::string Done() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string NumberArray(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + JsonNumber(values[i]);
  return out + "]";
}

std::string SummaryJson(const std::vector<double>& samples, const std::vector<double>& ps) {
  const Summary s = Summarize(samples, ps);
  ObjectWriter w;
  w.Num("count", static_cast<double>(s.count)).Num("mean", s.mean).Num("stddev", s.stddev);
  w.Num("cv", s.cv).Num("min", s.min).Num("median", s.median).Num("max", s.max);
  for (const auto& [p, v] : s.percentiles) w.Num(PercentileName(p), v);
  return w.Done();
}

std::string DeviceJson(const DeviceInfo& d) {
  ObjectWriter peaks, measured;
  for (const auto& [dtype, v] : d.peak_flops) peaks.Num(dtype, v);
  for (const auto& [dtype, v] : d.measured_flops) measured.Num(dtype, v);
  ObjectWriter w;
  w.Str("name", d.name).Str("kind", d.kind).Str("description", d.description);
  w.Bool("simulated", d.simulated).Raw("peak_flops", peaks.Done());
  w.Num("memory_bandwidth", d.memory_bandwidth).Raw("measured_flops", measured.Done());
  w.Num("measured_bandwidth", d.measured_bandwidth);
  return w.Done();
}

std::string EnvironmentJson(const Environment& env) {
  std::string devices = "[";
  for (size_t i = 0; i < env.devices.size(); ++i) {
    devices += (i ? "," : "") + DeviceJson(env.devices[i]);
  }
  ObjectWriter w;
  w.Str("hetero_version", env.hetero_version).Str("commit", env.commit);
  w.Str("compiler", env.compiler).Str("os", env.os).Str("cpu_model", env.cpu_model);
  w.Num("cpu_cores", env.cpu_cores).Str("timestamp", env.timestamp);
  w.Str("command_line", env.command_line).Raw("devices", devices + "]");
  return w.Done();
}

std::string OpJson(const OpRow& op) {
  ObjectWriter w;
  w.Str("node", op.node).Str("op", op.op).Str("device", op.device).Str("status", op.status);
  w.Num("calls", op.calls).Num("time_ms", op.time_ms).Num("percent", op.percent);
  w.Num("flops", op.flops).Num("bytes", op.bytes).Str("bytes_source", op.bytes_source);
  w.Num("gflops_per_s", op.gflops_per_s);
  w.Num("gbytes_per_s", op.gbytes_per_s).Str("compute_dtype", op.compute_dtype);
  w.Str("bound", op.bound);
  w.Num("attainment", op.attainment).Num("attainment_measured", op.attainment_measured);
  w.Bool("simulated", op.simulated).Raw("samples_ms", NumberArray(op.samples_ms));
  return w.Done();
}

std::string DeviceMemoryJson(const std::vector<DeviceMemory>& memory) {
  std::string out = "[";
  for (size_t i = 0; i < memory.size(); ++i) {
    const DeviceMemory& m = memory[i];
    ObjectWriter w;
    w.Str("device", m.device).Bool("available", m.available);
    if (m.available) {
      std::string covers = "[";
      for (size_t k = 0; k < m.covers.size(); ++k)
        covers += (k ? "," : "") + JsonQuote(m.covers[k]);
      w.Num("peak_bytes", m.peak_bytes).Num("bytes_in_use", m.bytes_in_use);
      w.Raw("covers", covers + "]");
    } else {
      w.Str("reason", m.reason);
    }
    out += (i ? "," : "") + w.Done();
  }
  return out + "]";
}

std::string ResultJson(const BenchResult& r, const std::vector<double>& ps) {
  ObjectWriter w;
  w.Str("label", r.label).Str("devices", r.devices).Str("scenario", r.scenario);
  w.Num("threads", r.threads).Str("shape", r.shape).Bool("simulated", r.simulated);
  w.Bool("all_simulated", r.all_simulated);
  w.Num("load_ms", r.load_ms).Num("optimize_ms", r.optimize_ms).Num("compile_ms", r.compile_ms);
  w.Num("first_inference_ms", r.first_inference_ms).Num("warmup_runs", r.warmup_runs);
  w.Bool("warmup_stable", r.warmup_stable);
  w.Num("count", static_cast<double>(r.primary_ms().size()));
  w.Num("completed", static_cast<double>(r.completed)).Num("failed", static_cast<double>(r.failed));
  w.Num("duration_s", r.duration_s).Num("throughput_per_s", r.throughput);
  w.Str("latency_metric", r.primary_name()).Raw("latency_ms", SummaryJson(r.primary_ms(), ps));
  w.Raw("wall_ms", SummaryJson(r.wall_ms, ps)).Raw("device_ms", SummaryJson(r.device_ms, ps));
  w.Raw("simulated_ms", SummaryJson(r.simulated_ms, ps));
  w.Raw("device_total_ms", SummaryJson(r.device_total_ms, ps));
  w.Raw("transfer_ms", SummaryJson(r.transfer_ms, ps));
  w.Raw("scheduler_ms", SummaryJson(r.scheduler_ms, ps));
  ObjectWriter samples;
  samples.Raw("wall_ms", NumberArray(r.wall_ms)).Raw("device_ms", NumberArray(r.device_ms));
  samples.Raw("simulated_ms", NumberArray(r.simulated_ms));
  samples.Raw("device_total_ms", NumberArray(r.device_total_ms));
  samples.Raw("transfer_ms", NumberArray(r.transfer_ms));
  samples.Raw("scheduler_ms", NumberArray(r.scheduler_ms));
  w.Raw("samples", samples.Done());
  if (r.scenario == "server") {
    ObjectWriter server;
    server.Num("target_qps", r.target_qps).Num("p99_bound_ms", r.p99_bound_ms);
    server.Bool("bound_held", r.bound_held);
    w.Raw("server", server.Done());
  }
  w.Num("peak_rss_mb", r.peak_rss_mb).Raw("device_memory", DeviceMemoryJson(r.device_memory));
  ObjectWriter speedup;
  speedup.Str("metric", r.speedup_metric).Num("estimate", r.speedup.estimate);
  speedup.Num("low", r.speedup.low).Num("high", r.speedup.high).Num("confidence", 0.95);
  w.Raw("speedup", speedup.Done());
  std::string ops = "[";
  for (size_t i = 0; i < r.ops.size(); ++i) ops += (i ? ",\n" : "\n") + OpJson(r.ops[i]);
  w.Raw("ops", ops + "]");
  return w.Done();
}

}  // namespace

std::string PercentileName(double p) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "p%g", p);
  return buf;
}

std::string BenchJson(const BenchReport& report) {
  std::string warnings = "[";
  for (size_t i = 0; i < report.warnings.size(); ++i) {
    warnings += (i ? "," : "") + JsonQuote(report.warnings[i]);
  }
  std::string results = "[";
  for (size_t i = 0; i < report.results.size(); ++i) {
    results += (i ? ",\n" : "\n") + ResultJson(report.results[i], report.percentiles);
  }
  ObjectWriter w;
  w.Str("schema_version", kBenchSchemaVersion).Str("generator", "hetero bench");
  w.Str("model", report.model).Raw("percentiles", NumberArray(report.percentiles));
  w.Str("baseline", report.baseline).Raw("environment", EnvironmentJson(report.environment));
  w.Raw("warnings", warnings + "]").Raw("results", results + "]");
  return w.Done() + "\n";
}

}  // namespace hetero::profiler
