// MatMul GFLOP/s on opencl:0 against the cpu device, and the OpenCL program's build time
// cold (empty cache) and warm (binary from the cache).
//   opencl_bench [plugin path]   (POCL_KERNEL_CACHE=0 keeps PoCL's own cache out of "cold")
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/device_executor.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::unique_ptr<hetero::ir::Graph> MatMulGraph(int64_t n) {
  using namespace hetero;
  auto g = std::make_unique<ir::Graph>("matmul");
  auto* a = g->AddInput("a", TensorType{DType::kF32, Shape({n, n})}).value();
  auto* b = g->AddInput("b", TensorType{DType::kF32, Shape({n, n})}).value();
  g->AddOutput(g->AddNode("MatMul", {a, b}).value()->output(0));
  return g;
}

// Best of `reps` runs, seconds; -1 on error.
double TimeMatMul(const std::shared_ptr<hetero::plugins::Device>& device, int64_t n, int reps) {
  using namespace hetero;
  auto g = MatMulGraph(n);
  auto executor = DeviceExecutor::Create(*g, device);
  if (!executor.ok()) {
    std::fprintf(stderr, "%s\n", executor.status().ToString().c_str());
    return -1;
  }
  std::vector<float> values(size_t(n * n));
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i % 13) * 0.25f - 1.5f;
  const std::map<std::string, Tensor> inputs = {{"a", Tensor::FromFloat({n, n}, values)},
                                                {"b", Tensor::FromFloat({n, n}, values)}};
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

double CompileSeconds(const std::string& plugin) {
  using namespace hetero;
  auto registry = plugins::LoadPluginRegistry({plugin}, 1);
  auto device = registry->OpenDevice("opencl:0");
  if (!device.ok()) return -1;
  auto g = MatMulGraph(64);
  auto view = plugins::GraphView::FromGraph(*g);
  if (!view.ok()) return -1;
  const auto start = Clock::now();
  auto executable = (*device)->Compile(**view);
  return executable.ok() ? Seconds(start) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string plugin = argc > 1 ? argv[1] : HETERO_OPENCL_PLUGIN_PATH;
  const auto cache = std::filesystem::temp_directory_path() / "hetero_opencl_bench_cache";
  std::filesystem::remove_all(cache);
  ::setenv("HETERO_CACHE_DIR", cache.c_str(), 1);
  const double cold = CompileSeconds(plugin);
  const double warm = CompileSeconds(plugin);
  std::printf("program build: cold %.1f ms, warm (cached binary) %.1f ms\n", cold * 1e3,
              warm * 1e3);
  auto registry = hetero::plugins::LoadPluginRegistry({plugin}, 0);
  auto opencl = registry->OpenDevice("opencl:0");
  auto cpu = registry->OpenDevice("cpu");
  if (!opencl.ok() || !cpu.ok()) {
    std::fprintf(stderr, "needs opencl:0 and cpu\n");
    return 1;
  }
  std::printf("%6s %14s %14s   (square f32 MatMul, best of 5, copies included)\n", "n",
              "opencl GFLOP/s", "cpu GFLOP/s");
  for (int64_t n : {128, 256, 512, 1024}) {
    const double flops = 2.0 * double(n) * n * n;
    const double t_ocl = TimeMatMul(*opencl, n, 5);
    const double t_cpu = TimeMatMul(*cpu, n, 5);
    std::printf("%6lld %14.2f %14.2f\n", static_cast<long long>(n),
                t_ocl > 0 ? flops / t_ocl * 1e-9 : 0.0, t_cpu > 0 ? flops / t_cpu * 1e-9 : 0.0);
  }
  std::filesystem::remove_all(cache);
  return 0;
}
