// hetero::Session: the public C++ API — a model compiled for a list of devices, run by
// input and output names, synchronously from any thread or asynchronously.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

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
};

using NamedTensors = std::map<std::string, Tensor>;

class Session {
 public:
  // `model_spec` is an .onnx path or "builtin:NAME". Fails naming what could not be
  // loaded, placed or compiled.
  static StatusOr<std::unique_ptr<Session>> Create(const std::string& model_spec,
                                                   SessionOptions options = {});
  // Waits for requests still in flight.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Thread-safe. Outputs by graph output name.
  StatusOr<NamedTensors> Run(const NamedTensors& inputs) const;
  // Runs on another thread; the future holds the outputs or the error.
  std::future<StatusOr<NamedTensors>> RunAsync(NamedTensors inputs) const;
  // Runs on another thread and calls `done` there with the outputs or the error.
  void RunAsync(NamedTensors inputs, std::function<void(StatusOr<NamedTensors>)> done) const;

  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  // The placement: every segment, its device, its nodes and why (hetero compile --explain).
  std::string ExplainPlacement() const;

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hetero
