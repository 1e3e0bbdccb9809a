// `hetero calibrate DEVICE`: measures the achievable FLOP/s per dtype (one large MatMul)
// and the memory bandwidth (one large Add) on a device, and stores them where `hetero
// bench` finds them, so rooflines show measured roofs beside the datasheet ones.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "compiler/ir/graph.h"
#include "compiler/onnx/exporter.h"
#include "hetero/session.h"
#include "profiler/aggregate.h"
#include "profiler/json.h"
#include "tools/hetero/cmd_bench_support.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

namespace {

struct Probe {
  std::string path;
  NamedTensors inputs;
  double work = 0;  // FLOPs (matmul) or bytes (add) per run
};

StatusOr<Tensor> Zeros(DType dtype, std::vector<int64_t> dims) {
  HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, std::move(dims)));
  std::memset(t.mutable_raw(), 0, t.byte_size());
  return t;
}

// A graph of one op over inputs of `dims`, written as ONNX to `path`.
StatusOr<Probe> MakeProbe(const std::string& op, DType dtype, std::vector<int64_t> dims,
                          const std::string& path) {
  ir::Graph graph("calibrate_" + op);
  const TensorType type{dtype, Shape::FromStatic(dims)};
  HETERO_ASSIGN_OR_RETURN(ir::Value * a, graph.AddInput("a", type));
  HETERO_ASSIGN_OR_RETURN(ir::Value * b, graph.AddInput("b", type));
  HETERO_ASSIGN_OR_RETURN(ir::Node * node, graph.AddNode(op, {a, b}, {}, 1, op));
  graph.AddOutput(node->outputs()[0]);
  HETERO_RETURN_IF_ERROR(ExportOnnxModel(graph, path));
  Probe probe;
  probe.path = path;
  HETERO_ASSIGN_OR_RETURN(probe.inputs["a"], Zeros(dtype, dims));
  HETERO_ASSIGN_OR_RETURN(probe.inputs["b"], Zeros(dtype, dims));
  return probe;
}

// The best (shortest) device time of `repeats` runs, in seconds; device records when
// there are any (simulated ones included), else the host wall clock.
StatusOr<double> BestSeconds(const std::string& device, const Probe& probe, int repeats,
                             const std::vector<std::string>& plugin_paths) {
  SessionOptions options;
  options.devices = {device};
  options.no_fallback = true;
  options.profiling = true;
  options.plugin_paths = plugin_paths;
  HETERO_ASSIGN_OR_RETURN(auto session, Session::Create(probe.path, options));
  double best = 0;
  for (int i = 0; i <= repeats; ++i) {  // the first run warms up
    const auto start = std::chrono::steady_clock::now();
    HETERO_RETURN_IF_ERROR(session->Run(probe.inputs).status());
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const profiler::InferenceSplit split = profiler::SplitInference(session->TakeProfile());
    const double seconds = split.has_simulated ? split.simulated_ms / 1e3
                           : split.has_device  ? split.device_ms / 1e3
                                               : wall;
    if (i > 0 && seconds > 0 && (best == 0 || seconds < best)) best = seconds;
  }
  return best;
}

int ParseCount(const Flags& flags, const std::string& name, int fallback) {
  const long v = std::strtol(flags.Get(name, std::to_string(fallback)).c_str(), nullptr, 10);
  return v > 0 ? static_cast<int>(std::min<long>(v, 1L << 26)) : -1;
}

}  // namespace

int CalibrateCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags =
      Flags::Parse(args, {"--plugin", "--size", "--elements", "--repeats", "--dtypes"}, {}, &error);
  if (!flags) return Fail(kExitUsage, "calibrate: " + error);
  if (flags->positional().size() != 1) return Fail(kExitUsage, "calibrate: expected one DEVICE");
  const std::string device = flags->positional()[0];
  const int n = ParseCount(*flags, "--size", 512);
  const int elements = ParseCount(*flags, "--elements", 1 << 23);
  const int repeats = ParseCount(*flags, "--repeats", 5);
  if (n < 0 || elements < 0 || repeats < 0) {
    return Fail(kExitUsage, "calibrate: --size, --elements and --repeats take counts > 0");
  }
  const auto plugins = flags->GetAll("--plugin");
  const std::string dir = std::filesystem::temp_directory_path().string() + "/hetero-calibrate-" +
                          std::to_string(getpid());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string flops_json;
  for (const std::string& name : SplitList(flags->Get("--dtypes", "f32,f16,bf16"))) {
    auto dtype = ParseDType(name);
    if (!dtype) return Fail(kExitUsage, "calibrate: unknown dtype '" + name + "'");
    auto probe = MakeProbe("MatMul", *dtype, {n, n}, dir + "/matmul_" + name + ".onnx");
    auto seconds = probe.ok() ? BestSeconds(device, *probe, repeats, plugins)
                              : StatusOr<double>(probe.status());
    if (!seconds.ok() || *seconds <= 0) {
      std::fprintf(stderr, "calibrate: %s MatMul %s: not measured (%s)\n", device.c_str(),
                   name.c_str(), seconds.ok() ? "no time" : seconds.status().message().c_str());
      continue;
    }
    const double flops = 2.0 * n * n * n / *seconds;
    std::printf("%-16s MatMul %-5s %dx%d: %10.2f GFLOP/s\n", device.c_str(), name.c_str(), n, n,
                flops / 1e9);
    flops_json += (flops_json.empty() ? "" : ",") + profiler::JsonQuote(name) + ":" +
                  profiler::JsonNumber(flops);
  }
  auto add = MakeProbe("Add", DType::kF32, {elements}, dir + "/add.onnx");
  auto add_seconds =
      add.ok() ? BestSeconds(device, *add, repeats, plugins) : StatusOr<double>(add.status());
  std::filesystem::remove_all(dir, ec);
  if (!add_seconds.ok()) return Fail(kExitError, "calibrate: " + add_seconds.status().message());
  if (flops_json.empty())
    return Fail(kExitError, "calibrate: no dtype could be measured on " + device);
  const double bandwidth = 3.0 * 4.0 * elements / *add_seconds;
  std::printf("%-16s Add f32 %d elements: %10.2f GB/s\n", device.c_str(), elements,
              bandwidth / 1e9);
  const std::string path = CalibrationPath(device);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string json = "{\"device\":" + profiler::JsonQuote(device) + ",\"flops\":{" +
                           flops_json + "},\"bandwidth\":" + profiler::JsonNumber(bandwidth) +
                           ",\"matmul_size\":" + std::to_string(n) +
                           ",\"add_elements\":" + std::to_string(elements) + "}\n";
  if (Status s = profiler::WriteTextFile(path, json); !s.ok()) {
    return Fail(kExitError, "calibrate: " + s.message());
  }
  std::printf("stored: %s\n", path.c_str());
  return kExitOk;
}

}  // namespace hetero::cli
