// The cost per op of going through the plugin ABI versus calling the reference kernel
// directly, on a chain of 1,000 tiny ops (Add of f32[1] tensors). Each benchmark reports
// per_op (seconds per op, wall clock: the work runs on the host's arena); the difference
// from DirectKernel is the ABI's overhead.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/cpu_abi_chain.h"
#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/host_services.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

constexpr int kOps = 1000;

using bench::AddChain;
using bench::Check;
using AbiSetup = bench::CpuAbiSetup;

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
  AbiSetup abi(*graph, 0);
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
  AbiSetup abi(*graph, 0);
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
  AbiSetup abi(*graph, 0);
  for (auto _ : state) {
    Check(abi.Execute(0, 1), "execute");
    Check(abi.api->stream_synchronize(abi.stream), "synchronize");
  }
}
BENCHMARK(BM_AbiLaunchLatency)->UseRealTime();

}  // namespace
}  // namespace hetero

BENCHMARK_MAIN();
