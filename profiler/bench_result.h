// What one `hetero bench` invocation measured: per result (one device configuration in
// one scenario) the raw samples, their statistics, the per-op table and the environment.
// The md, json, csv and html writers and `bench compare` all read these structs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "profiler/stats.h"

namespace hetero::profiler {

// Version of the JSON document; bump the major part when a field changes meaning, the
// minor part when fields are added. 1.1 added results[].device_memory and, per op,
// samples_ms and bytes_source.
inline constexpr char kBenchSchemaVersion[] = "1.1";

struct DeviceInfo {
  std::string name;  // "cpu", "npu-sim:rngd"
  std::string kind;
  std::string description;
  bool simulated = false;
  std::map<std::string, double> peak_flops;      // datasheet, FLOP/s by dtype
  double memory_bandwidth = 0;                   // datasheet, bytes/s
  std::map<std::string, double> measured_flops;  // `hetero calibrate`, FLOP/s by dtype
  double measured_bandwidth = 0;                 // `hetero calibrate`, bytes/s
};

// One row of the per-op table: one node on the device that ran it.
struct OpRow {
  std::string node;
  std::string op;
  std::string device;          // the device that actually ran it
  std::string status = "run";  // "run", "fused" (into another node), "not run"
  double calls = 0;            // records per inference
  double time_ms = 0;          // median over iterations of the node's time per inference
  double percent = 0;          // of the sum of op times of this result
  double flops = 0;            // per inference
  double bytes = 0;
  // Where flops and bytes come from: "device" (this device's records, bytes in the format
  // it computed in), "other device" (a measured device's record of the same node: the
  // op's cost at the graph's dtypes), or "" (no record carried any).
  std::string bytes_source;
  double gflops_per_s = 0;
  double gbytes_per_s = 0;
  // The format the device says the op's arithmetic ran in (a record's "compute_<dtype>"
  // counter, e.g. "bf16" for bf16 weights on the cpu), whose peak it is held to; "" for
  // the f32 peak.
  std::string compute_dtype;
  std::string bound;               // "compute" or "memory" (by the device's ridge point)
  double attainment = 0;           // achieved / attainable under the datasheet roofline, 0..1
  double attainment_measured = 0;  // the same against `hetero calibrate`'s roofs; 0 if none
  bool simulated = false;
  std::vector<double> samples_ms;  // the node's time in each inference where it ran
};

// Peak device memory of one device over one result, as its plugin accounts for it.
struct DeviceMemory {
  std::string device;
  bool available = false;           // false: the plugin does not report memory (ABI 1.0)
  std::string reason;               // why not, when not available
  double peak_bytes = 0;            // from the device's opening to the end of the result
  double bytes_in_use = 0;          // at the end of the result
  std::vector<std::string> covers;  // "buffers", "intermediates", "constants", "simulated"
};

struct BenchResult {
  std::string label;    // "cpu", "npu-sim:rngd,cpu threads=2"
  std::string devices;  // the device list as given
  std::string scenario = "single";
  int threads = 0;
  std::string shape;           // "input_ids=1x128" or "" for the model's default
  bool simulated = false;      // any device of the list is simulated
  bool all_simulated = false;  // every device is: the simulated time is the latency

  double load_ms = 0, optimize_ms = 0, compile_ms = 0;
  double first_inference_ms = 0;
  int warmup_runs = 0;
  bool warmup_stable = true;  // warm-up by "stable" reached stability (or was by count)

  // Raw samples, one per measured inference, in ms.
  std::vector<double> wall_ms;          // host wall clock around Run (queueing included in server)
  std::vector<double> device_ms;        // device busy time from the device records (measured)
  std::vector<double> simulated_ms;     // device time predicted by simulated devices
  std::vector<double> device_total_ms;  // device_ms + simulated_ms of each inference
  std::vector<double> transfer_ms;
  std::vector<double> scheduler_ms;
  double duration_s = 0;  // wall time of the measured phase
  double throughput = 0;  // completed inferences / duration_s
  size_t completed = 0;
  size_t failed = 0;

  // Server scenario.
  double target_qps = 0;
  double p99_bound_ms = 0;  // 0: no bound asked
  bool bound_held = true;

  double peak_rss_mb = 0;
  std::vector<DeviceMemory> device_memory;  // one per device of the session
  std::vector<OpRow> ops;
  Interval speedup;            // against the baseline result (baseline time / this time); 0 if none
  std::string speedup_metric;  // which samples the speedup compares

  // The latency samples that matter: for a result with a simulated device, its device
  // time (simulated, plus measured devices' time for mixed lists), else host wall time.
  const std::vector<double>& primary_ms() const;
  // "wall", "simulated device" or "device (simulated + measured)".
  std::string primary_name() const;
};

struct Environment {
  std::string hetero_version;
  std::string commit;
  std::string compiler;
  std::string os;
  std::string cpu_model;
  int cpu_cores = 0;
  std::string timestamp;  // UTC, ISO 8601
  std::string command_line;
  std::vector<DeviceInfo> devices;
};

struct BenchReport {
  std::string model;
  std::vector<double> percentiles = {50, 90, 99};
  std::string baseline;  // label of the baseline result
  Environment environment;
  std::vector<BenchResult> results;
  std::vector<std::string> warnings;
};

}  // namespace hetero::profiler
