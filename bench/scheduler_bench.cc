// Scheduler overhead on a chain of tiny ops (Add of f32[1,16]): per op with the whole chain
// as one cpu segment run through the FlowScheduler, against a direct loop over the
// reference kernels; per segment with the chain split across cpu and a second cpu device.
// Usage: scheduler_bench [NUM_OPS] [REPS] [OPS_PER_SEGMENT] [THREADS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "ops/attributes.h"
#include "ops/schema.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/scheduler/flow_scheduler.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

constexpr int64_t kWidth = 16;

// y_0 = x; y_{i+1} = y_i + x, NUM_OPS times.
std::unique_ptr<ir::Graph> Chain(int num_ops) {
  auto graph = std::make_unique<ir::Graph>();
  ir::Value* x = *graph->AddInput("x", TensorType{DType::kF32, Shape{1, kWidth}});
  ir::Value* v = x;
  for (int i = 0; i < num_ops; ++i) {
    v = (*graph->AddNode("Add", {v, x}, {}, 1, "op" + std::to_string(i)))->output(0);
  }
  graph->AddOutput(v);
  return graph;
}

// Median microseconds per run over `reps` runs after a few warm-ups; -1 on failure.
double MedianMicros(int reps, const std::function<bool()>& run) {
  for (int w = 0; w < 3; ++w) {
    if (!run()) return -1;
  }
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (!run()) return -1;
    samples.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

// The chain's kernels called directly: no graph walk, no allocation, outputs ping-pong.
double KernelLoopMicros(int num_ops, int reps, const Tensor& x) {
  const ops::OpSchema* add = ops::FindOp("Add");
  Tensor a = *Tensor::Allocate(DType::kF32, {1, kWidth});
  Tensor b = *Tensor::Allocate(DType::kF32, {1, kWidth});
  ops::Attributes attrs;
  return MedianMicros(reps, [&] {
    const Tensor* in = &x;
    for (int i = 0; i < num_ops; ++i) {
      Tensor* out = i % 2 ? &b : &a;
      const Tensor* inputs[] = {in, &x};
      Tensor* outputs[] = {out};
      if (!add->reference(ops::KernelContext{inputs, outputs, attrs}).ok()) return false;
      in = out;
    }
    return true;
  });
}

// Checks the chain's result: x * (num_ops + 1) elementwise.
bool CheckResult(const Tensor& y, const std::vector<float>& x, int num_ops) {
  const float* data = y.data<float>();
  for (size_t i = 0; i < x.size(); ++i) {
    if (data[i] != x[i] * static_cast<float>(num_ops + 1)) return false;
  }
  return true;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "scheduler_bench: %s\n", status.ToString().c_str());
  return 1;
}

// Medians of one run of the bench, in microseconds.
struct Timings {
  double kernels, reference, direct, single, segmented;
  size_t segments;
};

void Report(const Timings& t, int num_ops, int reps, int threads) {
  const double per_op = (t.single - t.kernels) / num_ops;
  std::printf("chain of %d Add f32[1,%lld], median of %d runs, %d host threads\n", num_ops,
              static_cast<long long>(kWidth), reps, threads);
  std::printf("  reference kernels, direct loop:    %9.1f us  %7.3f us/op\n", t.kernels,
              t.kernels / num_ops);
  std::printf("  reference executor (graph walk):   %9.1f us  %7.3f us/op\n", t.reference,
              t.reference / num_ops);
  std::printf("  cpu, 1 segment, executor Run:      %9.1f us  %7.3f us/op\n", t.direct,
              t.direct / num_ops);
  std::printf("  cpu, 1 segment, FlowScheduler:     %9.1f us  %7.3f us/op\n", t.single,
              t.single / num_ops);
  std::printf("  overhead per op vs kernel loop:    %7.3f us/op  (target <= 2: %s)\n", per_op,
              per_op <= 2.0 ? "holds" : "MISSED");
  std::printf("  cpu+cpu-b, %zu segments, Flow:   %9.1f us  %7.3f us/segment\n", t.segments,
              t.segmented, t.segmented / static_cast<double>(t.segments));
  if (t.segments > 1) {
    std::printf("  overhead per extra segment:        %7.3f us/segment\n",
                (t.segmented - t.single) / static_cast<double>(t.segments - 1));
  }
}

int Main(int argc, char** argv) {
  const int num_ops = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 200;
  const int per_segment = argc > 3 ? std::atoi(argv[3]) : 1;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 1;
  if (num_ops < 1 || reps < 1 || per_segment < 1 || threads < 0) {
    std::fprintf(stderr, "usage: scheduler_bench [NUM_OPS] [REPS] [OPS_PER_SEGMENT] [THREADS]\n");
    return 2;
  }
  auto graph = Chain(num_ops);
  std::vector<float> x_values(kWidth);
  for (int64_t i = 0; i < kWidth; ++i) x_values[i] = static_cast<float>(i % 5) - 2.0f;
  const Tensor x = Tensor::FromFloat({1, kWidth}, x_values);
  const NamedTensors inputs = {{"x", x}};

  auto registry = plugins::LoadPluginRegistry({}, threads);
  auto cpu = registry->OpenDevice("cpu");
  if (!cpu.ok()) return Fail(cpu.status());
  auto cpu_b = (*cpu)->plugin().OpenDevice(0, "cpu-b");
  if (!cpu_b.ok()) return Fail(cpu_b.status());

  auto one = PartitionedExecutor::Create(*graph, {*cpu}, {});
  if (!one.ok()) return Fail(one.status());
  placement::PlacementOptions split;
  split.min_segment_nodes = 1;
  for (int i = 0; i < num_ops; ++i) {
    split.pins.push_back({"op" + std::to_string(i), (i / per_segment) % 2 ? "cpu-b" : "cpu"});
  }
  auto many = PartitionedExecutor::Create(*graph, {*cpu, *cpu_b}, split);
  if (!many.ok()) return Fail(many.status());
  scheduler::FlowScheduler one_sched(**one, registry->host().arena());
  scheduler::FlowScheduler many_sched(**many, registry->host().arena());

  for (auto* sched : {&one_sched, &many_sched}) {
    auto result = sched->Run(inputs);
    if (!result.ok()) return Fail(result.status());
    if (result->outputs.size() != 1 ||
        !CheckResult(result->outputs.begin()->second, x_values, num_ops)) {
      return Fail(Internal("the chain's output is not x * (NUM_OPS + 1)"));
    }
  }

  const double kernels = KernelLoopMicros(num_ops, reps, x);
  const double reference = MedianMicros(reps, [&] { return RunReference(*graph, inputs).ok(); });
  const double direct = MedianMicros(reps, [&] { return (*one)->Run(inputs).ok(); });
  const double single = MedianMicros(reps, [&] { return one_sched.Run(inputs).ok(); });
  const double segmented = MedianMicros(reps, [&] { return many_sched.Run(inputs).ok(); });
  if (kernels < 0 || reference < 0 || direct < 0 || single < 0 || segmented < 0) {
    return Fail(Internal("a run failed during measurement"));
  }
  Timings t{kernels, reference, direct, single, segmented, (*many)->num_segments()};
  Report(t, num_ops, reps, threads);
  return 0;
}

}  // namespace
}  // namespace hetero

int main(int argc, char** argv) { return hetero::Main(argc, argv); }
