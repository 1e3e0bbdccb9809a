// hetero::Session: the public C++ API — a model compiled for a list of devices, run by
// input and output names, synchronously from any thread or asynchronously.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hetero/profile.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {

struct SessionOptions {
  std::vector<std::string> devices = {"cpu"};  // priority order: "npu-sim:rngd", "cpu"
  int threads = 0;                             // CPU kernels' task arena; 0: all cores
  bool profiling = false;                      // ask devices to record timings
  std::vector<std::string> pins;               // "Attention=cpu", "node_name=cpu"
  bool no_fallback = false;                    // every node on the first device, or fail
  bool optimize = true;                        // run the default pass pipeline
  std::vector<std::string> plugin_paths;       // extra plugin libraries to load
  int min_segment_nodes = 0;                   // placement: smallest segment; 0 = default
  std::string profile_guided;                  // a `hetero bench --format json` file whose
                                               // measured per-op times replace predictions
  int max_in_flight = 0;                       // requests the scheduler runs at once; 0 = 64
  // Compile options per device name ("npu-sim:rngd" -> "precision=int8;calibrate=x.npy"),
  // passed to that device's plugin as hetero_compile_options.
  std::map<std::string, std::string> compile_options;
  // int8 calibration inputs of the model, by input name ("" stands for the first input).
  // The whole graph runs once on the reference kernels over them, and each segment on
  // a device listed in compile_options is compiled with "calibrate=" .npy files of the
  // values entering that segment. Checked like Run's inputs.
  std::map<std::string, Tensor> calibration_inputs;
  // "int8": after the pass pipeline, the constant f32 weights of MatMul / FusedMatMul
  // become int8 with per-column scales (the quantize-int8 pass, QuantMatMul); "" keeps
  // them. Any other value fails Create.
  std::string quantize;
};

// Where the time of Session::Create went.
struct SessionTimings {
  double load_ms = 0;      // reading the model (import, or building a built-in)
  double optimize_ms = 0;  // the pass pipeline
  double compile_ms = 0;   // placement and every segment's compilation
  size_t imported_nodes = 0;
  size_t compiled_nodes = 0;
};

// A device the session uses, as the bench and reports need it.
struct SessionDevice {
  std::string name;  // "cpu", "npu-sim:rngd"
  std::string kind;  // "cpu", "gpu", "npu", "accelerator"
  std::string description;
  bool simulated = false;                    // its timings are a model's predictions
  std::map<std::string, double> peak_flops;  // by dtype name ("f32"), FLOP/s; 0 omitted
  double memory_bandwidth = 0;               // bytes/s
  double host_link_bandwidth = 0;            // bytes/s
};

// One device's memory use as its plugin accounts for it (plugin ABI 1.1).
struct DeviceMemoryStats {
  std::string device;              // the device's name
  bool available = false;          // false: its plugin does not report memory (ABI 1.0)
  std::string unavailable_reason;  // why not, when not available
  uint64_t bytes_in_use = 0;
  uint64_t peak_bytes_in_use = 0;  // since the device was opened or the last reset
  uint64_t allocations = 0;        // since the device was opened
  // What the numbers count: "buffers", "intermediates", "constants", and "simulated"
  // when a simulator accounts for memory it models.
  std::vector<std::string> covers;
};

// Where one node of the compiled graph runs.
struct NodePlacement {
  std::string node;    // node name
  std::string op;      // op type
  std::string device;  // device name
  int segment = 0;
};

using NamedTensors = std::map<std::string, Tensor>;

// A tensor that stays in a device's memory between runs (a KV cache, a pipeline's
// activations): returned for outputs named in RunOptions::keep_on_device and accepted
// as RunOptions::device_inputs, without a trip through host memory. Cheap to copy
// (shared); the memory is freed with the last copy.
class DeviceTensor {
 public:
  struct Impl;
  DeviceTensor() = default;
  explicit DeviceTensor(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  bool valid() const { return impl_ != nullptr; }
  const std::string& device() const;  // the device's name
  DType dtype() const;
  const std::vector<int64_t>& dims() const;
  // A host copy (blocks until the copy is done).
  StatusOr<Tensor> ToHost() const;
  const Impl* impl() const { return impl_.get(); }

 private:
  std::shared_ptr<const Impl> impl_;
};

// Cancels a request: segments not yet started are skipped and the request ends with
// kCancelled; work already on a device finishes first. Thread-safe.
class CancelToken {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_release); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> cancelled_{false};
};

struct RunOptions {
  std::map<std::string, DeviceTensor> device_inputs;  // inputs already on a device
  std::vector<std::string> keep_on_device;            // outputs left where computed
  std::shared_ptr<CancelToken> cancel;                // optional
};

struct RunResult {
  NamedTensors outputs;                                // host outputs, by name
  std::map<std::string, DeviceTensor> device_outputs;  // those in keep_on_device
};

class Session {
 public:
  struct Impl;  // private state (runtime/session/session_impl.h)
  // `model_spec` is an .onnx path, "builtin:NAME", or a compiled model file written by
  // SaveCompiled (then the devices are the file's and options.devices is not used).
  // Fails naming what could not be loaded, placed or compiled.
  static StatusOr<std::unique_ptr<Session>> Create(const std::string& model_spec,
                                                   SessionOptions options = {});
  // Waits for requests still in flight.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Thread-safe. Outputs by graph output name.
  StatusOr<NamedTensors> Run(const NamedTensors& inputs) const;
  // Queues the run on the scheduler; the future holds the outputs or the error.
  std::future<StatusOr<NamedTensors>> RunAsync(NamedTensors inputs) const;
  // Queues the run on the scheduler and calls `done` with the outputs or the error, on
  // a scheduler thread (it must not block for long). Returns at once.
  void RunAsync(NamedTensors inputs, std::function<void(StatusOr<NamedTensors>)> done) const;
  // With device-resident inputs and outputs and a cancel token.
  StatusOr<RunResult> Run(const NamedTensors& inputs, const RunOptions& options) const;
  void RunAsync(NamedTensors inputs, RunOptions options,
                std::function<void(StatusOr<RunResult>)> done) const;

  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  // Input types as the model declares them (dims may be symbols: "batch", "seq").
  std::vector<std::pair<std::string, TensorType>> input_types() const;
  const SessionTimings& timings() const;
  // The placement: every segment, its device, its nodes and why (hetero compile --explain).
  std::string ExplainPlacement() const;
  std::vector<SessionDevice> devices() const;
  // Every device's memory statistics, in the order of devices(). With reset_peak, each
  // device's peak restarts at its bytes in use now, after being read (to measure the
  // peak of what runs next). Thread-safe.
  std::vector<DeviceMemoryStats> MemoryStats(bool reset_peak = false) const;
  // Writes the compiled model (graph, placement, each segment's serialized executable)
  // for Create to load without compiling. Fails naming a device that cannot serialize.
  Status SaveCompiled(const std::string& path) const;
  std::vector<NodePlacement> placement() const;
  // The events recorded since the last call (profiling on), sorted by start; empty when
  // profiling is off.
  std::vector<profiler::Event> TakeProfile() const;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  static StatusOr<std::unique_ptr<Session>> Finish(std::unique_ptr<Impl> impl,
                                                   const SessionOptions& options,
                                                   std::chrono::steady_clock::time_point start);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hetero
