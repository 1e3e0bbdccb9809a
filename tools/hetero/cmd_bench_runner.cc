// Preparing sessions, warm-up, the interleaved single-stream loop and the results.
#include "tools/hetero/cmd_bench_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "profiler/stats.h"
#include "tools/hetero/cmd_bench_support.h"

namespace hetero::cli {

namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr size_t kStableWindow = 5;
constexpr double kStableCv = 0.05;

// One timed inference; the wall time in ms.
StatusOr<double> TimedRun(PreparedRun& run) {
  const auto start = Clock::now();
  auto outputs = run.session->Run(run.inputs);
  const double ms = MillisSince(start);
  if (!outputs.ok()) return outputs.status().WithContext("bench " + run.config.label);
  return ms;
}

// Records one measured inference: its wall time, its time split and its ops.
void RecordInference(PreparedRun& run, double wall_ms, const BenchSettings& settings,
                     std::vector<profiler::Event>* trace) {
  profiler::BenchResult& r = run.result;
  r.wall_ms.push_back(wall_ms);
  if (!settings.profiling) return;
  std::vector<profiler::Event> events = TakeEvents(run);
  const profiler::InferenceSplit split = profiler::SplitInference(events);
  if (split.has_device) r.device_ms.push_back(split.device_ms);
  if (split.has_simulated) r.simulated_ms.push_back(split.simulated_ms);
  if (split.has_device || split.has_simulated) {
    r.device_total_ms.push_back(split.device_ms + split.simulated_ms);
  }
  r.transfer_ms.push_back(split.transfer_ms);
  r.scheduler_ms.push_back(split.scheduler_ms);
  run.ops.AddInference(events);
  profiler::CollectNodeCosts(events, &run.costs);
  if (settings.keep_trace) KeepTraceEvents(std::move(events), settings, trace);
}

void ShowProgress(const BenchSettings& settings, size_t done, size_t goal, double elapsed_s) {
  if (!settings.progress) return;
  constexpr int kWidth = 30;
  const double frac = goal ? std::min(1.0, static_cast<double>(done) / goal) : 1.0;
  std::string bar(static_cast<size_t>(frac * kWidth), '#');
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r[%s] %zu/%zu  %.1f s", bar.c_str(), done, goal, elapsed_s);
  std::fflush(stderr);
}

}  // namespace

std::vector<profiler::Event> TakeEvents(PreparedRun& run) {
  std::vector<profiler::Event> events = run.session->TakeProfile();
  RenameTracks(run.renames, &events);
  return events;
}

void ShareNodeCosts(std::vector<PreparedRun>& runs) {
  profiler::NodeCosts all;
  for (const PreparedRun& run : runs) all.insert(run.costs.begin(), run.costs.end());
  for (PreparedRun& run : runs) run.costs.insert(all.begin(), all.end());
}

void KeepTraceEvents(std::vector<profiler::Event> events, const BenchSettings& settings,
                     std::vector<profiler::Event>* trace) {
  for (profiler::Event& e : events) {
    if (trace->size() >= settings.max_trace_events) return;
    trace->push_back(std::move(e));
  }
}

StatusOr<PreparedRun> PrepareRun(const BenchConfig& config, const BenchSettings& settings) {
  PreparedRun run;
  run.config = config;
  SessionOptions options;
  options.devices = config.devices;
  options.threads = config.threads;
  options.profiling = settings.profiling;
  options.plugin_paths = settings.plugin_paths;
  options.compile_options = settings.compile_options;
  options.calibration_inputs = settings.calibration_inputs;
  options.quantize = settings.quantize;
  auto session = Session::Create(settings.model, options);
  if (!session.ok() && config.devices.size() == 1 && config.devices[0] != "cpu" &&
      session.status().message().find("no device can run") != std::string::npos) {
    return Status(session.status().code(), session.status().message() +
                                               "\n(to let the CPU run what " + config.devices[0] +
                                               " cannot: --devices " + config.devices[0] + "+cpu)");
  }
  HETERO_ASSIGN_OR_RETURN(run.session, std::move(session));
  HETERO_ASSIGN_OR_RETURN(run.inputs,
                          BindSessionInputs(settings.model, settings.input_flags, config.shape));
  profiler::BenchResult& r = run.result;
  r.label = config.label;
  if (!settings.quantize.empty()) r.label += " --quantize " + settings.quantize;
  for (size_t i = 0; i < config.devices.size(); ++i) {
    r.devices += (i ? "," : "") + config.devices[i];
  }
  r.threads = config.threads;
  r.shape = config.shape;
  const SessionTimings& t = run.session->timings();
  r.load_ms = t.load_ms;
  r.optimize_ms = t.optimize_ms;
  r.compile_ms = t.compile_ms;
  r.all_simulated = true;
  run.renames = DeviceRenames(*run.session, config.devices);
  for (const SessionDevice& d : run.session->devices()) {
    run.devices.push_back(DeviceInfoOf(d));
    if (auto it = run.renames.find(d.name); it != run.renames.end()) {
      run.devices.back().name = it->second;
    }
    r.simulated = r.simulated || d.simulated;
    r.all_simulated = r.all_simulated && d.simulated;
  }
  HETERO_ASSIGN_OR_RETURN(r.first_inference_ms, TimedRun(run));
  profiler::CollectNodeCosts(TakeEvents(run), &run.costs);
  return run;
}

Status WarmUp(PreparedRun& run, const BenchSettings& settings) {
  std::vector<double> samples;
  const int limit = settings.warmup_stable ? settings.warmup_max : settings.warmup;
  for (int i = 0; i < limit; ++i) {
    HETERO_ASSIGN_OR_RETURN(double ms, TimedRun(run));
    samples.push_back(ms);
    TakeEvents(run);
    if (settings.warmup_stable && profiler::IsStable(samples, kStableWindow, kStableCv)) break;
  }
  run.result.warmup_runs = static_cast<int>(samples.size());
  run.result.warmup_stable =
      !settings.warmup_stable || profiler::IsStable(samples, kStableWindow, kStableCv);
  return OkStatus();
}

Status RunSingleStream(std::vector<PreparedRun>& runs, const BenchSettings& settings,
                       std::vector<profiler::Event>* trace, std::vector<std::string>* warnings) {
  for (PreparedRun& run : runs) {
    HETERO_RETURN_IF_ERROR(WarmUp(run, settings));
    if (!run.result.warmup_stable) {
      warnings->push_back(run.config.label + ": not stable after " +
                          std::to_string(run.result.warmup_runs) + " warm-up runs (CV of the " +
                          "last 5 over 5%)");
    }
  }
  const auto start = Clock::now();
  size_t round = 0;
  while (true) {
    const double elapsed_s = MillisSince(start) / 1e3;
    const bool enough =
        round >= static_cast<size_t>(settings.iters) && elapsed_s >= settings.time_s;
    if (enough || round >= static_cast<size_t>(settings.max_iters)) break;
    for (size_t k = 0; k < runs.size(); ++k) {
      PreparedRun& run = runs[(round + k) % runs.size()];  // rotate who goes first
      HETERO_ASSIGN_OR_RETURN(double ms, TimedRun(run));
      RecordInference(run, ms, settings, trace);
    }
    ++round;
    ShowProgress(settings, round, static_cast<size_t>(settings.iters), elapsed_s);
  }
  if (settings.progress) std::fputs("\n", stderr);
  const double duration_s = MillisSince(start) / 1e3;
  for (PreparedRun& run : runs) {
    run.result.scenario = "single";
    run.result.completed = run.result.wall_ms.size();
    // Interleaved: each run's own busy time is the sum of its wall samples; throughput is
    // single-stream completed work over the time this run occupied the host.
    double busy_s = 0;
    for (double ms : run.result.wall_ms) busy_s += ms / 1e3;
    run.result.duration_s = duration_s;
    run.result.throughput = busy_s > 0 ? static_cast<double>(run.result.completed) / busy_s : 0;
  }
  return OkStatus();
}

void FinishResult(PreparedRun& run) {
  std::vector<std::array<std::string, 3>> placed;
  for (const NodePlacement& p : run.session->placement())
    placed.push_back({p.node, p.op, p.device});
  // Attainment against what the run could reach: the cpu's cores it was given.
  std::vector<profiler::DeviceInfo> roofs = run.devices;
  for (profiler::DeviceInfo& d : roofs) {
    if (d.name == "cpu") ScaleToThreads(run.config.threads, &d);
  }
  run.result.ops = run.ops.Rows(roofs, run.costs, placed);
  run.result.peak_rss_mb = PeakRssMb();
  // Each result has its own session, so a device's peak since it was opened is this
  // result's: load, compile, first inference, warm-up and measurement.
  for (const DeviceMemoryStats& m : run.session->MemoryStats(/*reset_peak=*/true)) {
    profiler::DeviceMemory d;
    auto renamed = run.renames.find(m.device);
    d.device = renamed != run.renames.end() ? renamed->second : m.device;
    d.available = m.available;
    d.reason = m.unavailable_reason;
    d.peak_bytes = static_cast<double>(m.peak_bytes_in_use);
    d.bytes_in_use = static_cast<double>(m.bytes_in_use);
    d.covers = m.covers;
    run.result.device_memory.push_back(std::move(d));
  }
}

}  // namespace hetero::cli
