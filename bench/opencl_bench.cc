// MatMul GFLOP/s (f32 and f16 storage) and built-in model latency on opencl:0 against
// the cpu device in one run, and the OpenCL program's build time cold (empty cache) and
// warm (cached binary), without and with the f16 kernels.
//   opencl_bench [plugin path] [--no-bert-base] [--matmul-only]
//   (POCL_KERNEL_CACHE=0 keeps PoCL's own cache out of "cold")
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compiler/builtin/builtin.h"
#include "compiler/ir/graph.h"
#include "compiler/passes/pipeline.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/device_executor.h"
#include "runtime/session/model_loader.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::unique_ptr<hetero::ir::Graph> MatMulGraph(int64_t n, hetero::DType dtype) {
  using namespace hetero;
  auto g = std::make_unique<ir::Graph>("matmul");
  auto* a = g->AddInput("a", TensorType{dtype, Shape({n, n})}).value();
  auto* b = g->AddInput("b", TensorType{dtype, Shape({n, n})}).value();
  g->AddOutput(g->AddNode("MatMul", {a, b}).value()->output(0));
  return g;
}

// Best of `reps` runs, seconds; -1 on error.
double TimeMatMul(const std::shared_ptr<hetero::plugins::Device>& device, int64_t n,
                  hetero::DType dtype, int reps) {
  using namespace hetero;
  auto g = MatMulGraph(n, dtype);
  auto executor = DeviceExecutor::Create(*g, device);
  if (!executor.ok()) {
    std::fprintf(stderr, "%s\n", executor.status().ToString().c_str());
    return -1;
  }
  std::vector<float> values(size_t(n * n));
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i % 13) * 0.25f - 1.5f;
  const std::map<std::string, Tensor> inputs = {{"a", Tensor::FromFloat({n, n}, values, dtype)},
                                                {"b", Tensor::FromFloat({n, n}, values, dtype)}};
  double best = 1e30;
  for (int r = 0; r < reps + 1; ++r) {  // the first run warms up (JIT per local size)
    const auto start = Clock::now();
    auto out = (*executor)->Run(inputs);
    const double s = Seconds(start);
    if (!out.ok()) return -1;
    if (r > 0 && s < best) best = s;
  }
  return best;
}

double CompileSeconds(const std::string& plugin, hetero::DType dtype) {
  using namespace hetero;
  auto registry = plugins::LoadPluginRegistry({plugin}, 1);
  auto device = registry->OpenDevice("opencl:0");
  if (!device.ok()) return -1;
  auto g = MatMulGraph(64, dtype);
  auto view = plugins::GraphView::FromGraph(*g);
  if (!view.ok()) return -1;
  const auto start = Clock::now();
  auto executable = (*device)->Compile(**view);
  return executable.ok() ? Seconds(start) : -1;
}

// Median of `reps` runs of builtin:`name` at batch 1 and `seq`, ms (after one warm-up
// run); -1 on error.
double ModelMs(const std::shared_ptr<hetero::plugins::Device>& device, const std::string& name,
               int64_t seq, int reps) {
  using namespace hetero;
  auto model = LoadModel("builtin:" + name);
  if (!model.ok()) return -1;
  if (!passes::Pipeline::Default().Run(*model->graph).ok()) return -1;
  auto executor = DeviceExecutor::Create(*model->graph, device);
  auto inputs = BuiltinSampleInputs(name, 1, seq);
  if (!executor.ok() || !inputs.ok()) {
    std::fprintf(
        stderr, "%s on %s: %s\n", name.c_str(), device->name().c_str(),
        executor.ok() ? inputs.status().ToString().c_str() : executor.status().ToString().c_str());
    return -1;
  }
  std::vector<double> ms;
  for (int r = 0; r < reps + 1; ++r) {
    const auto start = Clock::now();
    if (!(*executor)->Run(*inputs).ok()) return -1;
    if (r > 0) ms.push_back(Seconds(start) * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string plugin = HETERO_OPENCL_PLUGIN_PATH;
  bool bert_base = true, models_too = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--no-bert-base") {
      bert_base = false;
    } else if (std::string(argv[i]) == "--matmul-only") {
      models_too = false;
    } else {
      plugin = argv[i];
    }
  }
  const auto cache = std::filesystem::temp_directory_path() / "hetero_opencl_bench_cache";
  std::filesystem::remove_all(cache);
  ::setenv("HETERO_CACHE_DIR", cache.c_str(), 1);
  for (hetero::DType dtype : {hetero::DType::kF32, hetero::DType::kF16}) {
    const double cold = CompileSeconds(plugin, dtype);
    const double warm = CompileSeconds(plugin, dtype);
    std::printf("program build (%s): cold %.1f ms, warm (cached binary) %.1f ms\n",
                dtype == hetero::DType::kF16 ? "f32 and f16 kernels" : "f32 kernels", cold * 1e3,
                warm * 1e3);
  }
  auto registry = hetero::plugins::LoadPluginRegistry({plugin}, 0);
  auto opencl = registry->OpenDevice("opencl:0");
  auto cpu = registry->OpenDevice("cpu");
  if (!opencl.ok() || !cpu.ok()) {
    std::fprintf(stderr, "needs opencl:0 and cpu\n");
    return 1;
  }
  std::printf("%6s %14s %14s %14s   (square MatMul GFLOP/s, best of 5, copies included)\n", "n",
              "opencl f32", "opencl f16", "cpu f32");
  auto gflops = [](double flops, double t) { return t > 0 ? flops / t * 1e-9 : 0.0; };
  for (int64_t n : {128, 256, 512, 1024}) {
    const double flops = 2.0 * double(n) * n * n;
    const double t_ocl = TimeMatMul(*opencl, n, hetero::DType::kF32, 5);
    const double t_half = TimeMatMul(*opencl, n, hetero::DType::kF16, 5);
    const double t_cpu = TimeMatMul(*cpu, n, hetero::DType::kF32, 5);
    std::printf("%6lld %14.2f %14.2f %14.2f\n", static_cast<long long>(n), gflops(flops, t_ocl),
                gflops(flops, t_half), gflops(flops, t_cpu));
  }
  if (!models_too) {
    std::filesystem::remove_all(cache);
    return 0;
  }
  std::printf("\n%-10s %5s %14s %14s   (batch 1, median of 5, default passes)\n", "model", "seq",
              "opencl ms", "cpu ms");
  std::vector<std::pair<std::string, int64_t>> models = {
      {"bert-tiny", 128}, {"minilm-l6", 128}, {"gpt2-tiny", 128}};
  if (bert_base) models.push_back({"bert-base", 128});
  for (const auto& [name, seq] : models) {
    const double ocl = ModelMs(*opencl, name, seq, 5);
    const double cpu_ms = ModelMs(*cpu, name, seq, 5);
    std::printf("%-10s %5lld %14.2f %14.2f\n", name.c_str(), static_cast<long long>(seq), ocl,
                cpu_ms);
  }
  std::filesystem::remove_all(cache);
  return 0;
}
