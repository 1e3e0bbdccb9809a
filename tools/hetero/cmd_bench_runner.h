// The measuring core of `hetero bench`: sessions prepared per configuration, warm-up,
// the interleaved single-stream loop, the offline and server scenarios, and the step that
// turns samples and events into a BenchResult.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hetero/session.h"
#include "profiler/aggregate.h"
#include "profiler/bench_result.h"

namespace hetero::cli {

// One configuration of the sweep: a device list (one session), threads, a shape.
struct BenchConfig {
  std::string label;
  std::vector<std::string> devices;  // placement priority order ("npu-sim:rngd", "cpu")
  int threads = 0;
  std::string shape;  // "1x128" or "" for the default
};

struct BenchSettings {
  std::string model;
  std::vector<std::string> input_flags;  // --input NAME=FILE.npy
  std::vector<std::string> plugin_paths;
  std::map<std::string, std::string> compile_options;  // per device name
  std::map<std::string, Tensor> calibration_inputs;    // --calibrate (int8)
  std::string quantize;                                // --quantize int8: int8 weights
  bool profiling = true;
  int warmup = 3;              // runs, when not warming up until stable
  bool warmup_stable = false;  // until the last 5 runs have a CV under 5%
  int warmup_max = 50;
  int iters = 20;           // minimum measured inferences per configuration
  double time_s = 0;        // minimum measured wall time of the whole phase
  int max_iters = 100000;   // a cap whatever --time asks
  double target_qps = 10;   // server
  double p99_bound_ms = 0;  // server; 0 = no bound
  uint64_t seed = 1;
  bool keep_trace = false;
  size_t max_trace_events = 200000;
  bool progress = false;  // a progress bar on stderr (a terminal only)
};

// A configuration's live state while it is measured.
struct PreparedRun {
  BenchConfig config;
  std::unique_ptr<Session> session;
  NamedTensors inputs;
  profiler::BenchResult result;
  profiler::OpAccumulator ops;
  profiler::NodeCosts costs;
  std::vector<profiler::DeviceInfo> devices;
  std::map<std::string, std::string> renames;  // session device name -> the name given
};

// The profile since the last call, with tracks named as the user named the devices.
std::vector<profiler::Event> TakeEvents(PreparedRun& run);

// Gives every run the FLOPs and bytes any run's records carried for a node, so that
// devices whose records carry no counters still get FLOP/s and rooflines.
void ShareNodeCosts(std::vector<PreparedRun>& runs);

// Creates the session, binds inputs and runs the first inference (timed apart).
StatusOr<PreparedRun> PrepareRun(const BenchConfig& config, const BenchSettings& settings);

// Warm-up then the measured loop, interleaving every run (rotating who goes first each
// round) so that drift hits all alike. Events go to each run and, when kept, to `trace`.
Status RunSingleStream(std::vector<PreparedRun>& runs, const BenchSettings& settings,
                       std::vector<profiler::Event>* trace, std::vector<std::string>* warnings);

// Offline: every query issued at once; throughput over the whole batch.
Status RunOffline(PreparedRun& run, const BenchSettings& settings,
                  std::vector<profiler::Event>* trace);
// Server: Poisson arrivals at target_qps; latency counted from the scheduled arrival.
Status RunServer(PreparedRun& run, const BenchSettings& settings,
                 std::vector<profiler::Event>* trace);

// Warm-up alone (the offline and server scenarios call it before loading the session).
Status WarmUp(PreparedRun& run, const BenchSettings& settings);

// Statistics, per-op rows, peak RSS and every device's memory peak into run.result.
void FinishResult(PreparedRun& run);

// Every scenario over every configuration: "single" interleaves all configurations;
// "offline" and "server" load one configuration at a time. Results and warnings go to
// `report`, events (when kept) to `trace`.
Status RunBenchScenarios(const std::vector<BenchConfig>& configs,
                         const std::vector<std::string>& scenarios, const BenchSettings& settings,
                         profiler::BenchReport* report, std::vector<profiler::Event>* trace);

// Speedup of every result against the result of `baseline_item` ("cpu") with the same
// scenario, threads and shape: baseline median / result median, 95% bootstrap interval.
// Device time is compared when both sides have it (simulated or measured), else wall.
void AddSpeedups(const std::string& baseline_item, profiler::BenchReport* report);

// Warns where a percentile asked for has too few samples, where queries failed, and where
// a result's first device ran no node (everything fell back).
void AddSampleWarnings(profiler::BenchReport* report);

// Adds to `trace` while under the cap; counts what was dropped.
void KeepTraceEvents(std::vector<profiler::Event> events, const BenchSettings& settings,
                     std::vector<profiler::Event>* trace);

}  // namespace hetero::cli
