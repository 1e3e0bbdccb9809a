// The cost per op of going through the plugin ABI versus calling the reference kernel
// directly, on a chain of 1,000 tiny ops (Add of f32[1] tensors). Each benchmark reports
// per_op (seconds per op, wall clock: the work runs on the host's arena); the difference
// from DirectKernel is the ABI's overhead.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "devices/cpu/plugin.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/host_services.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

constexpr int kOps = 1000;

void Check(hetero_status* status, const char* what) {
  if (status == nullptr) return;
  std::fprintf(stderr, "%s: %s\n", what, status->message);
  status->destroy(status);
  std::abort();  // a benchmark set-up failure: nothing to measure
}

// x -> Add(x, 1) -> Add(·, 1) -> ... (kOps nodes) -> y, over f32[1].
std::unique_ptr<ir::Graph> AddChain(int ops) {
  auto g = std::make_unique<ir::Graph>("chain");
  ir::Value* v = g->AddInput("x", TensorType{DType::kF32, Shape({1})}).value();
  ir::Value* one = g->AddConstant("one", Tensor::FromFloat({1}, {1.0f})).value();
  for (int i = 0; i < ops; ++i) v = g->AddNode("Add", {v, one}).value()->output(0);
  g->AddOutput(v);
  return g;
}

// The CPU plugin through its C table: instance, device, stream, one executable.
struct AbiSetup {
  explicit AbiSetup(const ir::Graph& graph) : host(std::make_shared<plugins::HostServices>()) {
    binding = host->Bind("cpu");
    Check(hetero_cpu_plugin_get_api(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, &api),
          "get_api");
    Check(api->plugin_create(binding->api(), &plugin), "plugin_create");
    Check(api->device_open(plugin, 0, &device), "device_open");
    Check(api->stream_create(device, &stream), "stream_create");
    view = plugins::GraphView::FromGraph(graph).value();
    Check(api->compile(device, view->view(), nullptr, &exe), "compile");
    for (hetero_buffer*& b : buffers)
      Check(api->buffer_allocate(device, sizeof(float), &b), "buffer_allocate");
    desc = plugins::MakeTensorDesc(DType::kF32, {1}).value();
    const float x = 0;
    Check(api->copy_host_to_device(stream, &x, buffers[0], 0, sizeof(x), nullptr), "copy");
    Check(api->stream_synchronize(stream), "synchronize");
  }
  ~AbiSetup() {
    for (hetero_buffer* b : buffers) api->buffer_free(b);
    api->executable_destroy(exe);
    api->stream_destroy(stream);
    api->device_close(device);
    api->plugin_destroy(plugin);
  }
  hetero_status* Execute(int in, int out) {
    return api->execute(stream, exe, 1, &buffers[in], &desc, 1, &buffers[out], &desc, nullptr);
  }

  std::shared_ptr<plugins::HostServices> host;
  std::unique_ptr<plugins::HostBinding> binding;
  const hetero_plugin_api* api = nullptr;
  hetero_plugin* plugin = nullptr;
  hetero_device* device = nullptr;
  hetero_stream* stream = nullptr;
  hetero_executable* exe = nullptr;
  std::unique_ptr<plugins::GraphView> view;
  hetero_buffer* buffers[2] = {};
  hetero_tensor_desc desc{};
};

void SetPerOp(benchmark::State& state) {
  state.counters["per_op"] = benchmark::Counter(
      kOps, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The floor: the reference kernel called kOps times on preallocated tensors.
void BM_DirectKernel(benchmark::State& state) {
  const ops::OpSchema* add = ops::FindOp("Add");
  Tensor a = Tensor::FromFloat({1}, {0}), b = Tensor::FromFloat({1}, {0});
  const Tensor one = Tensor::FromFloat({1}, {1});
  const ops::Attributes attrs;
  for (auto _ : state) {
    for (int i = 0; i < kOps; ++i) {
      Tensor& in = (i % 2) ? b : a;
      Tensor& out = (i % 2) ? a : b;
      const Tensor* ins[2] = {&in, &one};
      Tensor* outs[1] = {&out};
      if (!add->reference(ops::KernelContext{ins, outs, attrs}).ok())
        state.SkipWithError("kernel failed");
    }
    benchmark::DoNotOptimize(a.raw());
  }
  SetPerOp(state);
}
BENCHMARK(BM_DirectKernel)->UseRealTime();

// The host's reference executor: inference and allocation per node, no ABI.
void BM_ReferenceExecutor(benchmark::State& state) {
  auto graph = AddChain(kOps);
  const std::map<std::string, Tensor> inputs = {{"x", Tensor::FromFloat({1}, {0})}};
  for (auto _ : state) {
    auto out = RunReference(*graph, inputs);
    if (!out.ok()) state.SkipWithError("reference failed");
    benchmark::DoNotOptimize(out);
  }
  SetPerOp(state);
}
BENCHMARK(BM_ReferenceExecutor)->UseRealTime();

// One execute of the 1,000-node executable through the ABI, then stream_synchronize.
void BM_AbiOneExecuteOfTheChain(benchmark::State& state) {
  auto graph = AddChain(kOps);
  AbiSetup abi(*graph);
  for (auto _ : state) {
    Check(abi.Execute(0, 1), "execute");
    Check(abi.api->stream_synchronize(abi.stream), "synchronize");
  }
  SetPerOp(state);
}
BENCHMARK(BM_AbiOneExecuteOfTheChain)->UseRealTime();

// kOps executes of a one-node executable, each its own ABI call, then one synchronize.
void BM_AbiExecutePerOp(benchmark::State& state) {
  auto graph = AddChain(1);
  AbiSetup abi(*graph);
  for (auto _ : state) {
    for (int i = 0; i < kOps; ++i) Check(abi.Execute(i % 2, 1 - i % 2), "execute");
    Check(abi.api->stream_synchronize(abi.stream), "synchronize");
  }
  SetPerOp(state);
}
BENCHMARK(BM_AbiExecutePerOp)->UseRealTime();

// One execute of a one-node executable and its synchronize: the latency of a launch.
void BM_AbiLaunchLatency(benchmark::State& state) {
  auto graph = AddChain(1);
  AbiSetup abi(*graph);
  for (auto _ : state) {
    Check(abi.Execute(0, 1), "execute");
    Check(abi.api->stream_synchronize(abi.stream), "synchronize");
  }
}
BENCHMARK(BM_AbiLaunchLatency)->UseRealTime();

}  // namespace
}  // namespace hetero

BENCHMARK_MAIN();
